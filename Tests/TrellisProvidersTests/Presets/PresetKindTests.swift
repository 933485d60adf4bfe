import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// The preset kinds: what configuration they need and where they send requests.
@Suite struct PresetKindTests {
    @Test func kindsDeclareTheirDefaultsAndVariables() {
        let dewiar = OpenAICompatibleProvider.dewiar
        #expect(dewiar.name == "dewiar")
        #expect(dewiar.defaultBaseURL == "https://dewiar.com/API/api")
        #expect(dewiar.keyVariable == "DEWIAR_API_KEY")
        #expect(dewiar.baseURLVariable == "DEWIAR_BASE_URL")
        #expect(dewiar.requiresKey)
        #expect(dewiar.settings.map(\.name) == ["provider_api_key"])
        let siliconFlow = OpenAICompatibleProvider.siliconFlow
        #expect(siliconFlow.name == "siliconflow")
        #expect(siliconFlow.defaultBaseURL == "https://api.siliconflow.cn/v1")
        #expect(siliconFlow.keyVariable == "SILICONFLOW_API_KEY")
        #expect(siliconFlow.baseURLVariable == "SILICONFLOW_BASE_URL")
        let vLLM = OpenAICompatibleProvider.vLLM
        #expect(vLLM.name == "vllm")
        #expect(vLLM.defaultBaseURL == "http://127.0.0.1:8000/v1")
        #expect(vLLM.keyVariable == "VLLM_API_KEY")
        #expect(vLLM.baseURLVariable == "VLLM_BASE_URL")
        #expect(!vLLM.requiresKey)
        #expect(OpenAIDialect.all.map(\.kind.name) == ["openai", "dewiar", "siliconflow", "vllm"])
    }

    @Test func endpointsPerDialect() {
        #expect(OpenAIDialect.dewiar.endpoint(baseURL: "https://dewiar.com/API/api/") == "https://dewiar.com/API/api")
        #expect(
            OpenAIDialect.siliconFlow.endpoint(baseURL: "https://api.siliconflow.cn/v1")
                == "https://api.siliconflow.cn/v1/chat/completions")
        #expect(
            OpenAIDialect.vLLM.endpoint(baseURL: "http://127.0.0.1:8000/v1")
                == "http://127.0.0.1:8000/v1/chat/completions")
        #expect(OpenAIDialect.named("vllm") == .vLLM)
        #expect(OpenAIDialect.named("something-else") == .openAI)
    }

    @Test func builtinDewiarReadsTheUpstreamKeyFromTheEnvironment() {
        let configuration = OpenAICompatibleProvider.dewiar.builtinProvider(environment: [
            "DEWIAR_API_KEY": "DEWIAR-0_abc", "DEWIAR_PROVIDER_API_KEY": "sk-ant-1",
        ])
        #expect(configuration.baseURL == "https://dewiar.com/API/api")
        #expect(configuration.apiKey == "DEWIAR-0_abc")
        #expect(configuration.setting("provider_api_key") == "sk-ant-1")
        #expect(!configuration.description.contains("sk-ant-1"))
        let vLLM = OpenAICompatibleProvider.vLLM.builtinProvider(environment: [:])
        #expect(vLLM.apiKeyHint == nil)
    }

    @Test func kindPicksTheDialectUnlessOneIsGiven() async throws {
        try await FakeVendorServer.withServer { server in
            server.respond { _ in .json(textReply("ok")) }
            let byKind = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(name: "d", kind: "dewiar", baseURL: server.origin + "/API/api"))
            let explicit = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(name: "x", kind: "custom", baseURL: server.origin + "/gateway"),
                dialect: .dewiar)
            let plain = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(name: "o", kind: "openai", baseURL: server.baseURL))
            let request = ModelRequest(model: "m", messages: [.user("Hi")])
            for provider in [byKind, explicit, plain] { _ = try await provider.complete(request) }
            #expect(server.requests.map(\.path) == ["/API/api", "/gateway", "/v1/chat/completions"])
        }
    }

    /// Agent YAML says `dewiar/openai/gpt-5`: the provider is before the first slash, the model id is the rest.
    @Test func modelIDsKeepTheirSlashes() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(DewiarFake.reply(.text("ok"), stream: false))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server))
            _ = try await provider.complete(ModelRequest(model: "ollama/gemma3:27b", messages: [.user("Hi")]))
            #expect(server.requests.first?.body.hasPrefix(#"{"model":"ollama/gemma3:27b","#) == true)
        }
    }
}
