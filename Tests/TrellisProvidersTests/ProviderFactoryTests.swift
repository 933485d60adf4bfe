import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Building adapters from configuration.
@Suite struct ProviderFactoryTests {
    @Test func openAIKindBuildsAWorkingAdapter() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(textReply("Hi there")))
            let provider = try ProviderFactory.make(
                ProviderConfiguration(
                    name: "local", kind: "openai", baseURL: server.baseURL, apiKey: "sk-secret-123",
                    headers: [HTTPHeaderField(name: "OpenAI-Project", value: "proj_1")]))
            #expect(provider is OpenAICompatibleProvider)
            let response = try await provider.complete(ModelRequest(model: "m", messages: [.user("Hi")]))
            #expect(response.message.text == "Hi there")
            #expect(server.requests.first?.header("OpenAI-Project") == "proj_1")
            #expect(server.requests.first?.header("Authorization") == "Bearer sk-secret-123")
        }
    }

    @Test func noKeyMeansNoAuthorizationHeader() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(textReply("ok")))
            let provider = try ProviderFactory.make(
                ProviderConfiguration(name: "local", kind: "openai", baseURL: server.baseURL))
            _ = try await provider.complete(ModelRequest(model: "m", messages: [.user("Hi")]))
            #expect(server.requests.count == 1)
            #expect(server.requests.first?.header("Authorization") == nil)
        }
    }

    @Test func unknownKindIsASetupError() {
        let error = #expect(throws: ProviderFactory.SetupError.self) {
            _ = try ProviderFactory.make(ProviderConfiguration(name: "y", kind: "gemini", baseURL: "http://x"))
        }
        #expect(
            error?.description.contains(
                "unknown kind 'gemini'; known: openai, dewiar, siliconflow, vllm, yandex, amvera, anthropic, ollama")
                == true)
    }

    @Test func missingKeyNamesTheHint() {
        let error = #expect(throws: ProviderFactory.SetupError.self) {
            _ = try ProviderFactory.make(
                ProviderConfiguration(
                    name: "openai", kind: "openai", baseURL: "https://api.openai.com/v1",
                    apiKeyHint: "OPENAI_API_KEY"))
        }
        #expect(error?.description.contains("OPENAI_API_KEY") == true)
        #expect(error?.description.contains("'openai'") == true)
    }

    @Test func configurationDescriptionHidesTheKey() {
        let configuration = ProviderConfiguration(
            name: "fake", kind: "openai", baseURL: "http://127.0.0.1/v1", apiKey: "sk-secret-123")
        #expect(!configuration.description.contains("sk-secret-123"))
        #expect(configuration.description.contains("key set"))
    }
}
