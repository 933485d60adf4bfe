import Foundation
import Synchronization
import Testing
import TrellisCore
import TrellisTesting

/// The progress `trellis run` shows on standard error: tool lines (plain when piped), `-v`, `-q`, and on a terminal
/// the spinner and colours.
@Suite(.serialized) struct RunProgressTests {
    static let agent = RunCommandTests.agent

    /// Durations vary: `0.4 ms`, `12 ms`, `1.5 s` become `<d>`.
    static func timeless(_ text: String) -> String {
        text.replacing(/\d+(\.\d)? m?s/, with: "<d>")
    }

    static func call(_ arguments: String, name: String = "calculator", id: String = "call_a1") -> FakeResponse {
        let escaped = arguments.replacingOccurrences(of: "\"", with: "\\\"")
        return .json(
            #"{"id":"c1","object":"chat.completion","model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":""#
                + id + #"","type":"function","function":{"name":""# + name + #"","arguments":""# + escaped
                + #""}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":10,"total_tokens":60}}"#
        )
    }

    func withCalculator(
        _ replies: [FakeResponse], _ body: (CLIHarness, FakeVendorServer) async throws -> Void
    ) async throws {
        try await FakeVendorServer.withServer { server in
            for reply in replies { server.enqueue(reply) }
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": RunCommandTests.workspace(server.baseURL),
            ])
            try await body(cli, server)
        }
    }

    @Test func pipedStderrShowsOnePlainLinePerToolCall() async throws {
        let long = "1+" + String(repeating: "2+", count: 40) + "3"
        try await withCalculator(
            [
                Self.call(#"{"expression":"6*7"}"#),
                Self.call(#"{"expression":"\#(long)"}"#, id: "call_a2"),
                Self.call("{}", name: "nope", id: "call_a3"),
                .json(RunCommandTests.answerReply),
            ]
        ) { cli, _ in
            let outcome = try await cli.run(["run", "calc", "6*7?"])
            #expect(outcome.status == 0)
            #expect(outcome.stdout == "The answer is 42.\n")
            #expect(!outcome.stderr.contains("\u{1B}"))
            let shortened = String(#"{"expression":"\#(long)"}"#.prefix(59)) + "…"
            #expect(
                Self.timeless(outcome.stderr) == """
                    ✓ calculator {"expression":"6*7"} <d>
                    ✓ calculator \(shortened) <d>
                    ✗ nope {}: unknown tool 'nope'; available tools: calculator, clock

                    """)
        }
    }

    @Test func verboseAddsTurnsCallsResultsAndTokens() async throws {
        try await withCalculator([Self.call(#"{"expression":"6*7"}"#), .json(RunCommandTests.answerReply)]) {
            cli, _ in
            let outcome = try await cli.run(["run", "calc", "6*7?", "-v"])
            #expect(outcome.status == 0)
            #expect(
                Self.timeless(outcome.stderr) == """
                    · turn 1
                    · tokens: 50 in, 10 out
                    → calculator {"expression":"6*7"}
                    ✓ calculator {"expression":"6*7"} <d>: 42
                    · turn 2
                    · tokens: 70 in, 6 out
                    · finished: stop after 2 turn(s)

                    """)
        }
    }

    @Test func quietShowsNothingOnSuccess() async throws {
        try await withCalculator([Self.call(#"{"expression":"6*7"}"#), .json(RunCommandTests.answerReply)]) {
            cli, _ in
            let outcome = try await cli.run(["run", "calc", "6*7?", "--quiet"])
            #expect(outcome.status == 0)
            #expect(outcome.stdout == "The answer is 42.\n")
            #expect(outcome.stderr == "")

            let both = try await cli.run(["run", "calc", "6*7?", "-q", "-v"])
            #expect(both.status == 2)
            #expect(both.stderr == "error: --quiet and --verbose cannot be combined\n")
        }
    }

    /// The model takes a while, so the spinner has time to draw.
    func slowCalculator(_ body: (CLIHarness, FakeVendorServer) async throws -> Void) async throws {
        try await withCalculator([]) { cli, server in
            let turns = Counter()
            server.respond { _ in
                try? await Task.sleep(for: .milliseconds(500))
                return turns.next() == 1 ? Self.call(#"{"expression":"6*7"}"#) : .json(RunCommandTests.answerReply)
            }
            try await body(cli, server)
        }
    }

    @Test func terminalShowsTheSpinnerAndColours() async throws {
        try await slowCalculator { cli, _ in
            let outcome = try await cli.runOnTerminal(["run", "calc", "6*7?"])
            #expect(outcome.status == 0, "\(outcome.stdout) \(outcome.stderr)")
            #expect(outcome.stdout.contains(" turn 1 · 0."))
            #expect(outcome.stdout.contains(" turn 2 · 0."))
            #expect(
                outcome.stdout.contains("\u{1B}[32m✓\u{1B}[0m \u{1B}[1mcalculator\u{1B}[0m {\"expression\":\"6*7\"}"))
            #expect(outcome.stdout.contains("The answer is 42.\r\n"))
        }
    }

    @Test func noColorOnATerminalMeansNoEscapeCodes() async throws {
        try await slowCalculator { cli, _ in
            let outcome = try await cli.runOnTerminal(["run", "calc", "6*7?"], environment: ["NO_COLOR": "1"])
            #expect(outcome.status == 0, "\(outcome.stdout) \(outcome.stderr)")
            #expect(outcome.stdout.contains(" turn 1 · 0."))
            #expect(!outcome.stdout.contains("\u{1B}"))
            #expect(outcome.stdout.contains("✓ calculator {\"expression\":\"6*7\"} "))
        }
    }

    @Test func streamedTextIsNotOverwrittenBySpinner() async throws {
        try await withCalculator([]) { cli, server in
            let turns = Counter()
            server.respond { _ in
                if turns.next() == 1 {
                    return .eventStream(
                        [
                            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me compute.\"},\"finish_reason\":null}]}\n\n",
                            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"{\\\"expression\\\":\\\"6*7\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
                            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n",
                        ])
                }
                try? await Task.sleep(for: .milliseconds(500))
                return .eventStream([
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"42.\"},\"finish_reason\":null}]}\n\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                ])
            }
            let outcome = try await cli.runOnTerminal(["run", "calc", "6*7?", "--stream"])
            #expect(outcome.status == 0, "\(outcome.stdout) \(outcome.stderr)")
            // The open line "Let me compute." is ended before the tool line and the next spinner are drawn.
            #expect(outcome.stdout.contains("Let me compute.\r\n"))
            #expect(outcome.stdout.contains(" turn 2 · "))
            #expect(outcome.stdout.contains("42.\r\n"))
        }
    }
}

/// Counts calls from any thread.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// The next count, from 1.
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
