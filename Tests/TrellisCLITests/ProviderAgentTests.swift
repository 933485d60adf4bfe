import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// Each shipped agent of agents/ (one per provider) runs `trellis run --json` end to end against its vendor's fake:
/// two tool calls (clock and calculator) in one turn, then an answer.
@Suite(.serialized) struct ProviderAgentTests {
    /// One shipped agent, the fake of its vendor, and the environment that points its built-in provider there.
    struct Case: Sendable, CustomTestStringConvertible {
        var agent: String
        var fake: any VendorFake.Type
        var key: String
        var environment: @Sendable (_ baseURL: String) -> [String: String]
        /// The `model` the result names.
        var model: String
        /// Queues the replies for a run (Amvera answers per route, so its fake renders by request path).
        var serve: (@Sendable (FakeVendorServer, [FakeReply], _ stream: Bool) -> Void)?
        var testDescription: String { agent }
    }

    static let cases: [Case] = [
        Case(
            agent: "amvera", fake: AmveraFake.self, key: "amvera-token",
            environment: { ["AMVERA_BASE_URL": $0, "AMVERA_TOKEN": "amvera-token"] }, model: "amvera/gpt-4.1",
            serve: { server, replies, _ in AmveraFake.serve(replies, on: server) }),
        Case(
            agent: "yandex", fake: YandexFake.self, key: "AQVN-yandex-key",
            environment: {
                ["YANDEX_BASE_URL": $0, "YANDEX_API_KEY": "AQVN-yandex-key", "YANDEX_FOLDER_ID": "b1gfolder"]
            }, model: "yandex/yandexgpt"),
        Case(
            agent: "dewiar", fake: DewiarFake.self, key: "DEWIAR-0_key",
            environment: { ["DEWIAR_BASE_URL": $0, "DEWIAR_API_KEY": "DEWIAR-0_key"] },
            model: "dewiar/openai/gpt-5-mini"),
        Case(
            agent: "siliconflow", fake: SiliconFlowFake.self, key: "sk-sf-key",
            environment: { ["SILICONFLOW_BASE_URL": $0, "SILICONFLOW_API_KEY": "sk-sf-key"] },
            model: "siliconflow/Qwen/Qwen2.5-72B-Instruct"),
        Case(
            agent: "vllm", fake: VLLMFake.self, key: "vllm-key",
            environment: { ["VLLM_BASE_URL": $0, "VLLM_API_KEY": "vllm-key"] },
            model: "vllm/meta-llama/Llama-3.2-11B-Vision-Instruct"),
        Case(
            agent: "anthropic", fake: AnthropicFake.self, key: "sk-ant-key",
            environment: { ["ANTHROPIC_BASE_URL": $0, "ANTHROPIC_API_KEY": "sk-ant-key"] },
            model: "anthropic/claude-sonnet-4-0"),
        Case(
            agent: "ollama", fake: OllamaFake.self, key: "",
            environment: { ["OLLAMA_HOST": $0] }, model: "ollama/llama3.2"),
    ]

    static let question = "What is 17*23, and what time is it in Tokyo?"

    @Test("a shipped agent completes a two-tool-call run against its vendor's fake", arguments: cases)
    func twoToolCallRun(_ scenario: Case) async throws {
        for stream in [false, true] {
            try await FakeVendorServer.withServer { server in
                scenario.fake.install(on: server, key: scenario.key)
                let replies: [FakeReply] = [
                    .calls(
                        .init("calculator", #"{"expression":"17*23"}"#),
                        .init("clock", #"{"timezone":"Asia/Tokyo"}"#), inputTokens: 120, outputTokens: 30),
                    .text("17*23 is 391.", inputTokens: 200, outputTokens: 12),
                ]
                if let serve = scenario.serve {
                    serve(server, replies, stream)
                } else {
                    for reply in replies { server.enqueue(scenario.fake.reply(reply, stream: stream)) }
                }
                let cli = try CLIHarness(files: [:])
                let outcome = try await cli.run(
                    ["run", scenario.agent, Self.question, "--json", "--workspace", CLIHarness.packageRoot]
                        + (stream ? ["--stream"] : []),
                    environment: scenario.environment(scenario.fake.baseURL(of: server)))

                #expect(outcome.status == 0, "stream \(stream): \(outcome.stderr)")
                let json = try JSONValue.parse(outcome.stdout)
                #expect(json["finish_reason"] == "stop")
                #expect(json["output"] == "17*23 is 391.")
                #expect(json["model"] == .string(scenario.model))
                #expect(json["turns"] == 2)
                let calls = json["tool_calls"]?.arrayValue ?? []
                #expect(calls.map { $0["name"] } == ["calculator", "clock"])
                #expect(calls.map { $0["is_error"] } == [false, false])
                #expect(calls.first?["content"] == "391")
                // Dewiar's minimal stream chunks carry no token counts (seed 002); its billing event still gives cost.
                let countsTokens = !(stream && scenario.agent == "dewiar")
                #expect(json["usage"]?["input_tokens"] == (countsTokens ? 320 : 0))
                #expect(json["usage"]?["output_tokens"] == (countsTokens ? 42 : 0))
                if scenario.agent == "dewiar" { #expect((json["usage"]?["cost"]?.doubleValue ?? 0) > 0) }
                #expect(json["error"] == .null)
                #expect(server.requests.count == 2)
            }
        }
    }

    @Test("Dewiar's billing block becomes usage.cost in --json")
    func dewiarCost() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: "DEWIAR-0_key")
            server.enqueue(
                DewiarFake.reply(.calls(.init("calculator", #"{"expression":"2+2"}"#)), stream: false),
                DewiarFake.reply(.text("4"), stream: false))
            let outcome = try await CLIHarness(files: [:]).run(
                ["run", "dewiar", "2+2?", "--json", "--workspace", CLIHarness.packageRoot],
                environment: ["DEWIAR_BASE_URL": DewiarFake.baseURL(of: server), "DEWIAR_API_KEY": "DEWIAR-0_key"])

            #expect(outcome.status == 0, "\(outcome.stderr)")
            let json = try JSONValue.parse(outcome.stdout)
            let cost = try #require(json["usage"]?["cost"]?.doubleValue)
            #expect(cost > 0)
        }
    }

    @Test("a wrong key gets the vendor's 401 as one error line with the provider's name, never the key")
    func wrongKey() async throws {
        for scenario in Self.cases where !scenario.key.isEmpty {
            try await FakeVendorServer.withServer { server in
                scenario.fake.install(on: server, key: scenario.key)
                var environment = scenario.environment(scenario.fake.baseURL(of: server))
                for (name, value) in environment where value == scenario.key { environment[name] = "wrong-key-value" }
                let outcome = try await CLIHarness(files: [:]).run(
                    ["run", scenario.agent, "hi", "--workspace", CLIHarness.packageRoot], environment: environment)

                #expect(outcome.status == 1, "\(scenario.agent)")
                #expect(outcome.stderr.contains("provider '\(scenario.agent)'"), "\(scenario.agent): \(outcome.stderr)")
                #expect(outcome.stderr.contains("HTTP 401"), "\(scenario.agent): \(outcome.stderr)")
                #expect(!outcome.stderr.contains("wrong-key-value"), "\(scenario.agent): \(outcome.stderr)")
            }
        }
    }

    @Test("SiliconFlow's reasoning_content is shown with -v on standard error, and never sent back")
    func reasoningShownWithVerbose() async throws {
        try await FakeVendorServer.withServer { server in
            SiliconFlowFake.install(on: server, key: "sk-sf-key")
            server.enqueue(
                SiliconFlowFake.reply(
                    FakeReply(calls: [.init("calculator", #"{"expression":"6*7"}"#)], reasoning: "Use the calculator."),
                    stream: false),
                SiliconFlowFake.reply(.text("42"), stream: false))
            let outcome = try await CLIHarness(files: [:]).run(
                ["run", "siliconflow", "6*7?", "-v", "--workspace", CLIHarness.packageRoot],
                environment: [
                    "SILICONFLOW_BASE_URL": SiliconFlowFake.baseURL(of: server), "SILICONFLOW_API_KEY": "sk-sf-key",
                ])

            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout == "42\n")
            #expect(outcome.stderr.contains("Use the calculator."))
            #expect(server.requests.last?.body.contains("Use the calculator.") == false)
        }
    }

    @Test("a reply the adapter cannot read is one error line naming the provider, the status and the body's start")
    func unreadableReply() async throws {
        for scenario in Self.cases {
            try await FakeVendorServer.withServer { server in
                scenario.fake.install(on: server, key: scenario.key)
                server.respond { _ in .text("<html><body>Bad gateway page</body></html>", status: 200) }
                let outcome = try await CLIHarness(files: [:]).run(
                    ["run", scenario.agent, "hi", "--workspace", CLIHarness.packageRoot],
                    environment: scenario.environment(scenario.fake.baseURL(of: server)))

                #expect(outcome.status == 1, "\(scenario.agent)")
                let lines = outcome.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(scenario.agent): \(outcome.stderr)")
                #expect(
                    outcome.stderr.contains("provider '\(scenario.agent)': HTTP 200"),
                    "\(scenario.agent): \(outcome.stderr)")
                #expect(outcome.stderr.contains("<html><body>Bad gateway page"), "\(scenario.agent): \(outcome.stderr)")
                if !scenario.key.isEmpty { #expect(!outcome.stderr.contains(scenario.key)) }
            }
        }
    }

    @Test("trellis provider check prints the battery's table against a fake and exits 0")
    func providerCheck() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: "AQVN-yandex-key")
            YandexFake.enqueueCheckBattery(on: server)
            let outcome = try await CLIHarness(files: [:]).run(
                ["provider", "check", "yandex", "--model", "yandexgpt", "--workspace", CLIHarness.packageRoot],
                environment: [
                    "YANDEX_BASE_URL": YandexFake.baseURL(of: server), "YANDEX_API_KEY": "AQVN-yandex-key",
                    "YANDEX_FOLDER_ID": "b1gfolder",
                ])

            #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("yandex (yandex at http://127.0.0.1:") == true)
            #expect(lines.dropFirst().first?.hasPrefix("CHECK") == true)
            for check in ["plain answer", "one tool call + result", "two parallel calls", "streamed tool deltas"] {
                #expect(lines.contains { $0.hasPrefix(check) && $0.contains(" ok ") }, "\(check)")
            }
            #expect(outcome.stdout.contains("ALTERNATIVE_STATUS_TOOL_CALLS → tool_calls"))
        }
    }
}
