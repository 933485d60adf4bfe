import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `trellis chat` as a person uses it, through a pseudo-terminal, and scripted through a pipe.
@Suite struct ChatCommandTests {
    private func workspace() throws -> CLIHarness {
        let cli = try CLIHarness(files: [
            "plugins/ledger/plugin.yaml": SessionCommandTests.manifest,
            "plugins/ledger/ledger.py": SessionCommandTests.script,
            "agents/keeper.yaml": "model: openai/gpt-4o-mini\ntools: [calculator, {plugin: ledger}]\n",
            "trellis.yaml":
                "providers:\n  openai:\n    kind: openai\n    base_url: ${OPENAI_BASE_URL}\n    api_key: ${OPENAI_API_KEY}\n    pricing: {gpt-4o-mini: {input: 1.0, output: 2.0}}\n",
        ])
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/ledger/ledger.py")
        return cli
    }

    private func environment(_ server: FakeVendorServer, log: String) -> [String: String] {
        [
            "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test", "LEDGER_LOG": log,
            "PATH": "/usr/local/bin:/usr/bin:/bin", "TERM": "xterm", "NO_COLOR": "1",
        ]
    }

    @Test("a chat on a terminal: streamed text, tool lines, /cost, Ctrl-C cancels a turn, history in a second chat")
    func onATerminal() async throws {
        let cli = try workspace()
        let log = cli.root + "/ledger.log"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(.calls(.init("calculator", #"{"expression":"6*7"}"#)), stream: true),
                OpenAIFake.reply(FakeReply(text: "The answer is 42."), stream: true),
                OpenAIFake.reply(.calls(.init("record", #"{"tag":"slow"}"#)), stream: true),
                OpenAIFake.reply(FakeReply(text: "Welcome back."), stream: true))
            let env = environment(server, log: log)
            let first = try await cli.runOnTerminal(
                ["chat", "keeper", "--session", "talk"],
                steps: [
                    .after("you› ", type: "What is 6*7?\r"),
                    .after("The answer is 42.", type: ""),
                    .after("you› ", type: "/cost\r"),
                    .after("you› ", type: "record slowly\r"),
                    .once(log + ".pid", type: "\u{03}"),
                    .after("turn cancelled", type: ""),
                    .after("you› ", type: "/exit\r"),
                ], environment: env)
            #expect(first.status == 0, "\(first.stdout)")
            let screen = first.stdout
            #expect(screen.contains("trellis chat · agent keeper · session talk · /help for commands, Ctrl-D to exit"))
            #expect(screen.contains("✓ calculator {\"expression\":\"6*7\"}"), "\(screen)")
            #expect(screen.contains("The answer is 42.\r\n"))
            #expect(
                screen.contains("40 tokens in, 10 out (50 in all) over 2 model call(s) · cost 0.00006"), "\(screen)")
            #expect(screen.contains("✗ record {\"tag\":\"slow\"}"))
            #expect(screen.contains("⏹ turn cancelled; the conversation is kept (every call answered)"))
            #expect(PluginAgentTests.processes(under: cli.root) == [])
            #expect(!screen.contains("was not saved"))

            // The second chat has the first one's conversation and line history.
            let second = try await cli.runOnTerminal(
                ["chat", "keeper", "--session", "talk"],
                steps: [
                    .after("you› ", type: "\u{1B}[A\u{1B}[A"),
                    .after("you› record slowly", type: "\u{15}hello again\r"),
                    .after("Welcome back.", type: ""),
                    .after("you› ", type: "\u{04}"),
                ], environment: env)
            #expect(second.status == 0, "\(second.stdout)")
            #expect(second.stdout.contains("session talk (2 message(s) so far)"))
            #expect(second.stdout.contains("bye (session talk saved)"))
            let sent = server.requests.last?.json?["messages"]?.arrayValue ?? []
            #expect(
                sent.map { $0["role"]?.stringValue ?? "" } == [
                    "user", "assistant", "tool", "assistant", "user", "assistant", "tool", "user",
                ])
            #expect(sent.count == 8 && sent[6]["content"] == "not finished: the run was cancelled")
            #expect(sent.last?["content"] == "hello again")
        }
    }

    @Test("without a terminal, chat reads lines from standard input and prints plain answers")
    func scripted() async throws {
        let cli = try workspace()
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(FakeReply(text: "Hi."), stream: true),
                OpenAIFake.reply(FakeReply(text: "Still here."), stream: true))
            let outcome = try await cli.run(
                ["chat", "keeper", "--session", "piped"],
                stdin: "hello\n/nonsense\n/session\n\nare you there?\n/cost\n",
                environment: environment(server, log: "/dev/null"))
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(
                outcome.stdout
                    == "Hi.\nunknown command /nonsense; /help lists them\n"
                    + "session piped · agent keeper · 2 message(s) · .trellis/trellis.db in \(cli.root)\n"
                    + "Still here.\n40 tokens in, 10 out (50 in all) over 2 model call(s) · cost 0.00006\n")
            let list = try await cli.run(["sessions"])
            #expect(list.stdout.contains("piped    keeper"))
        }
    }

    @Test("/tools, /model, /agent and /reset change what the next message goes to")
    func slashCommands() async throws {
        let cli = try workspace()
        try "model: openai/gpt-4o-mini\nsystem: Answer in verse.\n".write(
            toFile: cli.root + "/agents/poet.yaml", atomically: true, encoding: .utf8)
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(FakeReply(text: "One."), stream: true),
                OpenAIFake.reply(FakeReply(text: "Two."), stream: true),
                OpenAIFake.reply(FakeReply(text: "Three."), stream: true))
            let outcome = try await cli.run(
                ["chat", "keeper"],
                stdin:
                    "/tools\n/model openai/gpt-4o\nfirst\n/agent poet\nsecond\n/agent nobody\n/reset\nthird\n/exit\n",
                environment: environment(server, log: "/dev/null"))
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.hasPrefix("calculator  Evaluates an arithmetic expression"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("\nrecord  Records a tag.\nlook  Reads a tag back.\n"))
            #expect(outcome.stdout.contains("(model openai/gpt-4o from now on)\nOne.\n(now talking with poet)\nTwo.\n"))
            #expect(outcome.stderr.contains("error: no agent 'nobody'"))
            #expect(outcome.stdout.contains("(conversation reset; session chat-"))
            let bodies = server.requests.compactMap(\.json)
            #expect(bodies.map { $0["model"]?.stringValue ?? "" } == ["gpt-4o", "gpt-4o-mini", "gpt-4o-mini"])
            #expect(
                bodies[1]["messages"]?.arrayValue?.map { $0["content"]?.stringValue ?? "" } == [
                    "Answer in verse.", "first", "One.", "second",
                ])
            #expect(
                bodies[2]["messages"]?.arrayValue?.map { $0["content"]?.stringValue ?? "" } == [
                    "Answer in verse.", "third",
                ])
            let list = try await cli.run(["sessions"])
            #expect(list.stdout.contains("chat-"), "a chat without --session is kept under a made-up name")
        }
    }
}
