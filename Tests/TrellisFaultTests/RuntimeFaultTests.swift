import Foundation
import Synchronization
import Testing
import TrellisCore
import TrellisTesting

/// Many runs at once in one process (the `fault-probe` executable, so the counts are its own) against failing
/// providers and plugins, and runs cancelled in every phase: every run ends, every tool call gets exactly one
/// result, and no file descriptor or child process is left behind.
@Suite(.serialized) struct RuntimeFaultTests {
    static let pluginFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TrellisPluginsTests/Fixtures/plugins").path

    static let answer = Fault.reply(OpenAIFake.body(.text("17*23 is 391.")))
    static let callPlugin = Fault.reply(OpenAIFake.body(.calls(.init("run", "{}"))))

    /// Whether a request already carries a tool result (so the model's next move is the answer).
    static func hasToolResult(_ request: RecordedRequest) -> Bool {
        request.json?["messages"]?.arrayValue?.contains { $0["role"] == "tool" } ?? false
    }

    /// Runs the probe on `scenario` and returns its report, after checking what holds for every scenario.
    static func probe(_ scenario: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> [JSONValue]
    {
        let outcome = try await ChildProcess.run(
            ChildProcess.built("fault-probe"), [scenario.serialized()], timeout: .seconds(120))
        #expect(!outcome.timedOut, "the probe did not finish", sourceLocation: sourceLocation)
        #expect(outcome.status == 0, "probe: \(outcome.stderr.suffix(800))", sourceLocation: sourceLocation)
        let report = try #require(
            try? JSONValue.parse(outcome.stdout), "probe output: \(outcome.stdout.prefix(300))",
            sourceLocation: sourceLocation)
        let before = report["fds_before"]?.intValue ?? -1
        let after = report["fds_after"]?.intValue ?? -1
        #expect(
            after <= before, "descriptors: \(before) before, \(after) after: \(report["descriptors"] ?? [])",
            sourceLocation: sourceLocation)
        #expect(report["children_after"] == 0, "child processes left", sourceLocation: sourceLocation)
        let runs = report["runs"]?.arrayValue ?? []
        for run in runs {
            #expect(
                run["unanswered_calls"] == [], "a call without exactly one result: \(run)",
                sourceLocation: sourceLocation)
        }
        return runs
    }

    @Test("20 concurrent runs against a provider failing in turn every way end cleanly")
    func concurrentProviderFaults() async throws {
        let faults: [Fault] = [
            .hangBeforeHeaders, .resetMidBody(#"{"id":"x","#), .reply(#"{"error":{"message":"busy"}}"#, status: 503),
            .stream(["data: not json\n\n"]), .stallAfterHeaders(), .reply("<html>bad gateway</html>", status: 200),
            Self.callPlugin,
        ]
        let counter = Mutex(0)
        try await FaultServer.withServer { server in
            server.respond { request in
                if Self.hasToolResult(request) { return Self.answer }
                let next = counter.withLock { count -> Int in
                    count += 1
                    return count
                }
                return faults[next % faults.count]
            }
            let runs = try await Self.probe([
                "base_url": .string(server.baseURL), "runs": 20, "timeout_ms": 3000,
                "plugins": [.string(Self.pluginFixtures + "/echo")],
            ])
            #expect(runs.count == 20)
            for run in runs {
                let reason = run["finish_reason"]?.stringValue ?? ""
                let code = run["error_code"]?.stringValue ?? ""
                #expect(reason == "stop" || code.hasPrefix("provider_"), "\(run)")
            }
            for request in server.requests { expectConsistentTranscript(request) }
        }
    }

    /// Fixture plugins that misbehave, and whether their call is an error (some misbehave but answer well: they
    /// flood standard error, never read their input, or leave a child behind).
    static let misbehavingPlugins: [(String, Bool)] = [
        ("crash", true), ("hang", true), ("non-json", true), ("flood-stdout", true), ("fork-and-hang", true),
        ("closes-output", true), ("wrong-call-id", true), ("flood-stderr", false), ("ignores-stdin", false),
        ("lingering-child", false),
    ]

    @Test(
        "20 concurrent runs calling a misbehaving plugin each get one result (an error when it failed) and finish",
        arguments: misbehavingPlugins)
    func concurrentPluginFailures(_ plugin: String, fails: Bool) async throws {
        try await FaultServer.withServer { server in
            server.respond { Self.hasToolResult($0) ? Self.answer : Self.callPlugin }
            let runs = try await Self.probe([
                // Long enough for 20 floods at once on a loaded machine; the hanging plugin is cut short.
                "base_url": .string(server.baseURL), "runs": 20, "plugin_timeout_ms": plugin == "hang" ? 1000 : 20000,
                "plugins": [.string(Self.pluginFixtures + "/" + plugin)],
            ])
            #expect(runs.count == 20)
            for run in runs {
                #expect(run["finish_reason"] == "stop", "\(plugin): \(run)")
                #expect(run["tool_errors"] == (fails ? 1 : 0), "\(plugin): \(run)")
            }
        }
    }

    /// A phase to cancel in, and a server that keeps the run in it.
    struct Phase: Sendable, CustomTestStringConvertible {
        var name: String
        var fault: Fault
        var stream = false
        var testDescription: String { name }
    }

    static let phases = [
        Phase(name: "waiting", fault: .hangBeforeHeaders),
        Phase(
            name: "streaming",
            fault: .stream(Array(OpenAIFake.chunks(.text("17*23 is 391.")).prefix(2)), then: [.hold]),
            stream: true),
        Phase(name: "tools", fault: callPlugin),
    ]

    @Test("a run cancelled in any phase ends as cancelled with its transcript closed", arguments: phases)
    func cancellation(_ phase: Phase) async throws {
        try await FaultServer.withServer { server in
            server.respond { Self.hasToolResult($0) ? Self.answer : phase.fault }
            let runs = try await Self.probe([
                "base_url": .string(server.baseURL), "runs": 10, "stream": .bool(phase.stream),
                "timeout_ms": 30000, "cancel": .string(phase.name), "plugin_timeout_ms": 30000,
                "plugins": [.string(Self.pluginFixtures + "/hang")],
            ])
            #expect(runs.count == 10)
            for run in runs { #expect(run["finish_reason"] == "cancelled", "\(phase.name): \(run)") }
        }
    }
}
