import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// Each misbehaving fixture becomes an error result naming plugin, tool and cause with its stderr tail, within
/// its time limit, and leaves no process behind.
@Suite(.serialized) struct ExecutablePluginFailureTests {
    let timeout: Duration = .milliseconds(300)
    /// Timeout plus grace plus ample room for a loaded machine: a call that waited for the fixture's own 30 s
    /// sleep would be far past it.
    var limit: Duration { timeout + PluginFixtures.grace + .seconds(10) }

    @Test("a crash: the exit status and the stderr tail")
    func crash() async throws {
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("crash"))
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(
            output
                == .error(
                    "plugin 'crash', tool 'run': exited with status 3\nstderr:\ncrash: opening units.db\n"
                        + "crash: cannot open units.db: no such file"))
    }

    /// The result of calling a fixture that passes the 300 ms deadline, after checking that the call ended within
    /// ``limit``, that the fixture recorded `processes` ids, and that none of them is left.
    private func callPastDeadline(_ name: String, processes: Int) async throws -> (ToolOutput, [Int32]) {
        let pids = FixturePIDs()
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin(name, timeout: timeout, pids: pids))
        let start = ContinuousClock.now
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(start.elapsed < limit)
        #expect(pids.pids.count == processes)
        #expect(await pids.allGone())
        return (output, pids.pids)
    }

    private let stopped = "timed out after 300ms (its process group got SIGTERM, then SIGKILL after 200ms)"

    @Test("a hang that ignores SIGTERM is killed after the grace; nothing is left")
    func hang() async throws {
        let (output, _) = try await callPastDeadline("hang", processes: 2)
        #expect(output == .error("plugin 'hang', tool 'run': \(stopped)\nstderr:\nhang: thinking forever"))
    }

    @Test("a forked child that holds stdout open and ignores SIGTERM dies with its group")
    func forkAndHang() async throws {
        let (output, pids) = try await callPastDeadline("fork-and-hang", processes: 2)
        let child = try #require(pids.first)
        #expect(
            output == .error("plugin 'fork-and-hang', tool 'run': \(stopped)\nstderr:\nfork: child \(child) started"))
    }

    @Test("a plugin that closes stdout and stderr but runs on is stopped at the deadline")
    func closesOutput() async throws {
        let (output, _) = try await callPastDeadline("closes-output", processes: 1)
        #expect(output == .error("plugin 'closes-output', tool 'run': \(stopped)"))
    }

    @Test("a child left running after a good reply does not delay the result and does not survive the call")
    func lingeringChild() async throws {
        let pids = FixturePIDs()
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("lingering-child", pids: pids))
        let start = ContinuousClock.now
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(start.elapsed < .seconds(10), "the child's 30 s sleep, or the 20 s timeout, must not be awaited")
        #expect(output == ToolOutput("answered"))
        #expect(pids.pids.count == 1)
        #expect(await pids.allGone())
    }

    @Test("10 MB on stdout: killed at once when it passes max_output_bytes")
    func floodStdout() async throws {
        let pids = FixturePIDs()
        let tool = try await PluginFixtures.tool(
            try PluginFixtures.plugin("flood-stdout", timeout: .seconds(20), pids: pids))
        let start = ContinuousClock.now
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(start.elapsed < .seconds(10), "the cap, not the 20 s timeout, must end the call")
        #expect(
            output
                == .error(
                    "plugin 'flood-stdout', tool 'run': wrote more than 1048576 bytes to stdout (max_output_bytes) "
                        + "and was killed\nstderr:\nflood: writing 10 MB"))
        #expect(await pids.allGone())
    }

    @Test("1 MB on stderr before the reply does not deadlock: the reply counts")
    func floodStderr() async throws {
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("flood-stderr"))
        #expect(try await tool.execute(arguments: [:], context: PluginFixtures.context) == ToolOutput("made it"))
    }

    @Test("prose on stdout is not a reply")
    func nonJSON() async throws {
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("non-json"))
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(
            output
                == .error(
                    "plugin 'non-json', tool 'run': wrote something that is not JSON to stdout (unexpected character "
                        + "'T' at byte 0): The answer is 42\\n\nstderr:\nplain: answering in prose"))
    }

    @Test("a reply for another call is refused")
    func wrongCallID() async throws {
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("wrong-call-id"))
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(
            output
                == .error(
                    "plugin 'wrong-call-id', tool 'run': replied to call_id \"call_other\", but the call was \"call_1\""
                ))
    }

    @Test("a slow start within the timeout succeeds")
    func slowStart() async throws {
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("slow-start", timeout: .seconds(10)))
        #expect(
            try await tool.execute(arguments: [:], context: PluginFixtures.context) == ToolOutput("ready after a nap"))
    }

    @Test("a plugin that never reads a 256 KB request still answers; the host survives EPIPE")
    func ignoresStdin() async throws {
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("ignores-stdin"))
        let padding = JSONValue.string(String(repeating: "p", count: 256 * 1024))
        let output = try await tool.execute(arguments: ["padding": padding], context: PluginFixtures.context)
        #expect(output == ToolOutput("did not read"))
    }

    @Test("a command that is not on PATH cannot start")
    func commandNotFound() async throws {
        let plugin = try PluginFixtures.plugin("crash") { $0.command = "no-such-plugin-command" }
        let output = try await PluginFixtures.tool(plugin).execute(arguments: [:], context: PluginFixtures.context)
        #expect(
            output
                == .error(
                    "plugin 'crash', tool 'run': cannot start: command 'no-such-plugin-command' is not an executable "
                        + "file on PATH (/usr/bin:/bin)"))
    }

    @Test("a cancelled call kills the group and throws CancellationError")
    func cancellation() async throws {
        let pids = FixturePIDs()
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("hang", timeout: .seconds(20), pids: pids))
        let call = Task { try await tool.execute(arguments: [:], context: PluginFixtures.context) }
        while pids.pids.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(await pids.allGone())
    }
}
