import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// `trellis provider check`'s battery, against vendor fakes.
struct ProviderCheckTests {
    @Test("the battery passes against the OpenAI fake and sends what each check promises")
    func openAIBattery() async throws {
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: secretKey)
            OpenAIFake.enqueueCheckBattery(on: server)
            let provider = try ProviderFactory.make(
                ProviderConfiguration(name: "fake", kind: "openai", baseURL: server.baseURL, apiKey: secretKey))
            let outcomes = await ProviderCheck.run(provider, model: "gpt-test")

            #expect(
                outcomes.map(\.name) == [
                    "plain answer", "one tool call + result", "two parallel calls", "streamed tool deltas",
                ])
            #expect(outcomes.compactMap(\.problem) == [])
            #expect(
                outcomes.map(\.finish) == [
                    "stop → stop", "tool_calls → tool_calls, stop → stop", "tool_calls → tool_calls",
                    "tool_calls → tool_calls",
                ])
            #expect(outcomes.map(\.calls) == [0, 1, 2, 2])
            #expect(outcomes[1].usage == Usage(inputTokens: 40, outputTokens: 10))
            #expect(outcomes[3].quirks.contains("6 tool-call deltas"))

            let requests = server.requests
            #expect(requests.count == 5)
            let fedBack = try #require(requests[2].json?["messages"]?.arrayValue?.last)
            #expect(fedBack["role"] == "tool")
            #expect(fedBack["tool_call_id"] == "call_1")
            #expect(requests[4].json?["stream"] == true)
        }
    }

    /// A vendor fake and how to point its adapter at it.
    struct Vendor: Sendable, CustomTestStringConvertible {
        var kind: String
        var fake: any VendorFake.Type
        var model: String
        var settings: JSONObject = [:]
        var testDescription: String { kind }
    }

    static let vendors: [Vendor] = [
        Vendor(kind: "openai", fake: OpenAIFake.self, model: "gpt-4o-mini"),
        Vendor(kind: "yandex", fake: YandexFake.self, model: "yandexgpt", settings: ["folder_id": "b1gfolder"]),
        Vendor(kind: "amvera", fake: AmveraFake.self, model: "gpt-4.1"),
        Vendor(kind: "dewiar", fake: DewiarFake.self, model: "openai/gpt-5-mini"),
        Vendor(kind: "siliconflow", fake: SiliconFlowFake.self, model: "Qwen/Qwen2.5-72B-Instruct"),
        Vendor(kind: "vllm", fake: VLLMFake.self, model: "meta-llama/Llama-3.2-11B-Vision-Instruct"),
        Vendor(kind: "anthropic", fake: AnthropicFake.self, model: "claude-sonnet-4-0"),
        Vendor(kind: "ollama", fake: OllamaFake.self, model: "llama3.2"),
    ]

    @Test("the whole battery passes against every vendor's fake, through the registered adapter", arguments: vendors)
    func batteryPerVendor(_ vendor: Vendor) async throws {
        try await FakeVendorServer.withServer { server in
            vendor.fake.install(on: server, key: secretKey)
            if vendor.kind == "amvera" {
                // Amvera cannot stream and answers per route; its fake renders each request by its path.
                let kazan = FakeReply.Call("get_weather", #"{"city":"Kazan"}"#)
                let perm = FakeReply.Call("get_weather", #"{"city":"Perm"}"#)
                AmveraFake.serve(
                    [
                        .text("Hello there."), .calls(kazan), .text("Snow, -3 °C."), .calls(kazan, perm),
                        .calls(kazan, perm),
                    ],
                    on: server)
            } else {
                vendor.fake.enqueueCheckBattery(on: server)
            }
            let provider = try ProviderFactory.make(
                ProviderConfiguration(
                    name: vendor.kind, kind: vendor.kind, baseURL: vendor.fake.baseURL(of: server), apiKey: secretKey,
                    settings: vendor.settings))
            let outcomes = await ProviderCheck.run(provider, model: vendor.model)

            #expect(outcomes.compactMap(\.problem) == [])
            #expect(outcomes.map(\.calls) == [0, 1, 2, 2])
            #expect(server.requests.count == 5)
        }
    }

    @Test("a provider that answers without calling tools fails the tool checks, each with its reason")
    func failuresAreExplained() async throws {
        try await FakeVendorServer.withServer { server in
            server.respond { request in
                OpenAIFake.reply(.text("I cannot use tools."), stream: request.json?["stream"] == true)
            }
            let provider = try ProviderFactory.make(
                ProviderConfiguration(name: "fake", kind: "openai", baseURL: server.baseURL))
            let outcomes = await ProviderCheck.run(provider, model: "m")

            #expect(outcomes.map(\.passed) == [true, false, false, false])
            #expect(outcomes[1].problem == "0 tool call(s), expected 1")
            #expect(outcomes[2].problem == "0 tool call(s), expected 2")
            #expect(outcomes[3].problem == "0 tool call(s), expected 2")
        }
    }

    @Test("an unreachable provider fails every check with the connection error")
    func unreachable() async throws {
        let provider = try ProviderFactory.make(
            ProviderConfiguration(name: "gone", kind: "openai", baseURL: "http://127.0.0.1:9/v1", maxRetries: 0))
        let outcomes = await ProviderCheck.run(provider, model: "m")

        #expect(outcomes.allSatisfy { !$0.passed })
        #expect(outcomes.allSatisfy { $0.problem?.contains("provider 'gone'") == true })
    }
}
