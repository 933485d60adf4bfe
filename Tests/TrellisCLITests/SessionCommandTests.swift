import Foundation
import Testing
import TrellisCore
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// `trellis run --session`, `-c`, `trellis sessions`, `trellis resume`, and a run killed mid-batch, against a fake
/// OpenAI server, as a user runs them.
@Suite struct SessionCommandTests {
    /// A plugin that appends each call's tool and `tag` to `$LEDGER_LOG`; the tag `slow` writes trellis's pid and
    /// its own to `$LEDGER_LOG.pid` and sleeps, so a test can kill either while it runs.
    static let manifest = """
        protocol: 1
        command: ./ledger.py
        timeout: 60s
        env: [LEDGER_LOG]
        tools:
          - name: record
            description: Records a tag.
            parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}
          - name: look
            description: Reads a tag back.
            idempotent: true
            parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}

        """
    static let script = """
        #!/usr/bin/env python3
        import json, os, sys, time
        request = json.load(sys.stdin)
        tag = request["arguments"]["tag"]
        log = os.environ["LEDGER_LOG"]
        with open(log, "a") as out:
            out.write(request["tool"] + " " + tag + "\\n")
        if tag == "slow":
            with open(log + ".pid.tmp", "w") as out:
                out.write("%d %d" % (os.getppid(), os.getpid()))
            os.rename(log + ".pid.tmp", log + ".pid")
            time.sleep(50)
        print(json.dumps({"content": "recorded " + tag}))

        """

    private func workspace(
        agent: String = "model: openai/gpt-4o-mini\nparallel_tool_calls: false\ntools: [calculator, {plugin: ledger}]\n"
    )
        throws -> CLIHarness
    {
        let cli = try CLIHarness(files: [
            "plugins/ledger/plugin.yaml": Self.manifest, "plugins/ledger/ledger.py": Self.script,
            "agents/keeper.yaml": agent, "agents/other.yaml": "model: openai/gpt-4o-mini\n",
        ])
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/ledger/ledger.py")
        return cli
    }

    private func environment(_ server: FakeVendorServer, log: String = "/dev/null") -> [String: String] {
        [
            "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test", "LEDGER_LOG": log,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
        ]
    }

    private func messages(_ request: RecordedRequest?) -> [JSONValue] {
        request?.json?["messages"]?.arrayValue ?? []
    }

    @Test("a session goes on across runs; sessions lists, shows and deletes it")
    func continuedAcrossRuns() async throws {
        let cli = try workspace()
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(.calls(.init("calculator", #"{"expression":"6*7"}"#)), stream: false),
                OpenAIFake.reply(.text("It is 42."), stream: false),
                OpenAIFake.reply(.text("Doubled, 84."), stream: false),
                OpenAIFake.reply(.text("Still 84."), stream: false))
            let env = environment(server)
            let first = try await cli.run(["run", "keeper", "What is 6*7?", "--session", "maths"], environment: env)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == "It is 42.\n")

            let second = try await cli.run(["run", "keeper", "And doubled?", "--session", "maths"], environment: env)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout == "Doubled, 84.\n")
            let sent = messages(server.requests.last)
            #expect(sent.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "assistant", "user"])
            #expect(sent.first?["content"] == "What is 6*7?")
            #expect(sent[2]["content"] == "42")
            #expect(sent.last?["content"] == "And doubled?")

            let third = try await cli.run(["run", "keeper", "Sure?", "-c"], environment: env)
            #expect(third.status == 0, "\(third.stderr)")
            #expect(messages(server.requests.last).count == 7)

            let list = try await cli.run(["sessions"])
            #expect(list.status == 0)
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.first?.hasPrefix("SESSION  AGENT   TURNS  TOKENS  COST  LAST USED") == true, "\(list.stdout)")
            #expect(
                lines.dropFirst().first?.hasPrefix("maths    keeper  4      100     -     just now") == true,
                "\(list.stdout)")

            let show = try await cli.run(["sessions", "show", "maths"])
            #expect(show.status == 0)
            #expect(
                show.stdout.contains(
                    "you: What is 6*7?\n  → calculator {\"expression\":\"6*7\"}\n  ← calculator: 42\n\nagent: It is 42.\n"
                ), "\(show.stdout)")
            #expect(show.stdout.contains("\nyou: Sure?\n\nagent: Still 84.\n"))

            let wrongAgent = try await cli.run(["run", "other", "hi", "--session", "maths"], environment: env)
            #expect(wrongAgent.status == 1)
            #expect(
                wrongAgent.stderr.contains("error: session 'maths' is a conversation with agent 'keeper', not 'other'"))

            let removed = try await cli.run(["sessions", "rm", "maths"])
            #expect(removed.status == 0)
            #expect(removed.stderr == "deleted session 'maths'\n")
            let gone = try await cli.run(["sessions", "show", "maths"])
            #expect(gone.status == 1)
            #expect(gone.stderr == "error: no session named 'maths'; there are no sessions yet\n")
            let none = try await cli.run(["run", "keeper", "hi", "-c"], environment: env)
            #expect(none.status == 1)
            #expect(
                none.stderr.contains("-c: agent 'keeper' has no session to continue; start one with --session NAME"))
        }
    }

    @Test("a session in use by another process is refused, not shared")
    func busySession() async throws {
        let cli = try workspace()
        let log = cli.root + "/ledger.log"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(OpenAIFake.reply(.calls(.init("record", #"{"tag":"slow"}"#)), stream: false))
            let env = environment(server, log: log)
            async let holder = cli.run(["run", "keeper", "hold it", "--session", "shared"], environment: env)
            let pid = try await Self.trellisPID(log: log)
            let second = try await cli.run(["run", "keeper", "me too", "--session", "shared"], environment: env)
            #expect(second.status == 1)
            #expect(
                second.stderr
                    == "error: session 'shared' is in use by another trellis (pid \(pid)); wait for it to finish or stop it\n"
            )
            kill(pid, SIGKILL)
            _ = try await holder
        }
    }

    @Test("SIGKILL in the middle of a batch: the next run resumes it and no recorded call runs twice")
    func killedMidBatchResumes() async throws {
        let cli = try workspace()
        let log = cli.root + "/ledger.log"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(
                    .calls(
                        .init("record", #"{"tag":"one"}"#), .init("record", #"{"tag":"slow"}"#),
                        .init("look", #"{"tag":"again"}"#), .init("record", #"{"tag":"three"}"#)),
                    stream: false),
                OpenAIFake.reply(.text("Recorded what could be."), stream: false),
                OpenAIFake.reply(.text("Yes, done."), stream: false))
            let env = environment(server, log: log)
            async let killed = cli.run(["run", "keeper", "record them", "--session", "ledger"], environment: env)
            let pid = try await Self.trellisPID(log: log)
            #expect(kill(pid, SIGKILL) == 0)
            let first = try await killed
            #expect(first.status != 0)
            #expect(try String(contentsOfFile: log, encoding: .utf8) == "record one\nrecord slow\n")

            let listed = try await cli.run(["sessions"])
            #expect(listed.stdout.contains("interrupted (trellis resume ledger)"), "\(listed.stdout)")

            let second = try await cli.run(["run", "keeper", "done?", "--session", "ledger"], environment: env)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(
                second.stderr.contains(
                    "↻ resuming session 'ledger' (1 call result(s) kept, 1 call(s) cut short, 2 call(s) not started)"),
                "\(second.stderr)")
            #expect(second.stdout == "Yes, done.\n")
            // The cut call is not run again; the calls that had not started run once.
            #expect(
                try String(contentsOfFile: log, encoding: .utf8)
                    == "record one\nrecord slow\nlook again\nrecord three\n")
            let resumed = messages(server.requests[1])
            let results = resumed.filter { $0["role"] == "tool" }.map { $0["content"]?.stringValue ?? "" }
            #expect(results.count == 4)
            #expect(results[0] == "recorded one")
            #expect(results[1].hasPrefix("outcome unknown: the run was interrupted while 'record' was running"))
            #expect(results[2] == "recorded again")
            #expect(results[3] == "recorded three")
            #expect(messages(server.requests.last).last?["content"] == "done?")
        }
    }

    @Test("trellis resume finishes a cut run without a new message; an idempotent tool in flight runs again")
    func resumeCommand() async throws {
        let cli = try workspace()
        let log = cli.root + "/ledger.log"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(.calls(.init("look", #"{"tag":"slow"}"#)), stream: false),
                OpenAIFake.reply(.text("Looked."), stream: false))
            let env = environment(server, log: log)
            async let killed = cli.run(["run", "keeper", "look", "--session", "peek"], environment: env)
            let pid = try await Self.trellisPID(log: log)
            #expect(kill(pid, SIGKILL) == 0)
            _ = try await killed
            try FileManager.default.removeItem(atPath: log + ".pid")
            async let resumed = cli.run(["resume", "peek"], environment: env)
            // The call started again (its tool is idempotent); ending the plugin ends its sleep, and the run goes on.
            guard await Poll.until(timeout: .seconds(60), { FileManager.default.fileExists(atPath: log + ".pid") })
            else {
                let outcome = try await resumed
                Issue.record("the call did not run again: \(outcome.status) \(outcome.stdout) \(outcome.stderr)")
                return
            }
            kill(try Self.pluginPID(log: log), SIGKILL)
            let outcome = try await resumed
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout == "Looked.\n")
            #expect(try String(contentsOfFile: log, encoding: .utf8) == "look slow\nlook slow\n")
            let nothing = try await cli.run(["resume", "peek"], environment: env)
            #expect(nothing.status == 0)
            #expect(nothing.stderr.hasPrefix("session 'peek' has nothing to resume: its last run ended (stop)"))
        }
    }

    /// Waits for the slow call to report trellis's pid.
    static func trellisPID(log: String) async throws -> Int32 {
        let file = log + ".pid"
        let started = await Poll.until(timeout: .seconds(60)) { FileManager.default.fileExists(atPath: file) }
        try #require(started, "the slow call never started")
        return try #require(Int32(try String(contentsOfFile: file, encoding: .utf8).split(separator: " ")[0]))
    }

    /// The slow call's plugin process.
    static func pluginPID(log: String) throws -> Int32 {
        try #require(Int32(try String(contentsOfFile: log + ".pid", encoding: .utf8).split(separator: " ")[1]))
    }
}
