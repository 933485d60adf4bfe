import Foundation
import Testing
import TrellisCore
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// The local model server a run starts ends with the run, however the run ends: a signal stops it with trellis,
/// and a trellis killed outright (SIGKILL, no chance to clean up) still leaves no server behind. Uses the stand-in
/// server of Tests/TrellisRuntimeTests/Fixtures, whose chat requests never finish.
@Suite struct LocalModelLifecycleTests {
    static let python = CLIHarness.packageRoot + "/Tests/TrellisRuntimeTests/Fixtures/python"
    /// The stand-in runs `python3` from PATH, as the tests found it.
    static let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]

    private func workspace(pidFile: String) throws -> CLIHarness {
        try CLIHarness(files: [
            "trellis.yaml": """
            providers:
              slow:
                kind: local
                python: \(Self.python)
                server_args: [--fake, slow, --pid-file, \(pidFile)]
            """,
            "agents/waiter.yaml": "model: slow/tiny\n",
            ".trellis/models/tiny.gguf": "not really a model",
        ])
    }

    /// The server's pid and its parent's (trellis), once the server listens.
    private func pids(in file: String) async throws -> (server: Int32, trellis: Int32) {
        let written = await Poll.until(timeout: .seconds(60)) { FileManager.default.fileExists(atPath: file) }
        try #require(written, "the server never started")
        let numbers = try String(contentsOfFile: file, encoding: .utf8).split(separator: " ").compactMap { Int32($0) }
        try #require(numbers.count == 2)
        return (numbers[0], numbers[1])
    }

    static func isGone(_ pid: Int32) -> Bool { kill(pid, 0) == -1 && errno == ESRCH }

    @Test(
        "SIGTERM during a model call stops the server with trellis, and the run still prints its result",
        .enabled(if: ChildProcess.onPath("python3"), "python3 is not installed"))
    func signalStopsTheServer() async throws {
        let pidFile = NSTemporaryDirectory() + "trellis-local-\(UUID().uuidString).pids"
        let cli = try workspace(pidFile: pidFile)
        async let outcome = cli.run(["run", "waiter", "hello", "--json"], environment: Self.environment)
        let (server, trellis) = try await pids(in: pidFile)
        // The request is on its way once the server listens; give it a moment to be in flight.
        try await Task.sleep(for: .milliseconds(300))
        #expect(kill(trellis, SIGTERM) == 0)
        let result = try await outcome
        #expect(result.status == 143, "\(result.stderr)")
        #expect(try JSONValue.parse(result.stdout)["finish_reason"] == "cancelled")
        #expect(Self.isGone(server), "trellis waited for its server to stop")
    }

    @Test(
        "SIGKILL of trellis leaves no server behind: it watches its parent",
        .enabled(if: ChildProcess.onPath("python3"), "python3 is not installed"))
    func killLeavesNoOrphan() async throws {
        let pidFile = NSTemporaryDirectory() + "trellis-local-\(UUID().uuidString).pids"
        let cli = try workspace(pidFile: pidFile)
        async let outcome = cli.run(["run", "waiter", "hello"], environment: Self.environment)
        let (server, trellis) = try await pids(in: pidFile)
        #expect(kill(trellis, SIGKILL) == 0)
        _ = try await outcome
        #expect(await Poll.until(timeout: .seconds(10)) { Self.isGone(server) }, "server \(server) outlived trellis")
    }

    @Test("a local model that is not installed stops the run before it starts, with the commands that install it")
    func notInstalled() async throws {
        let cli = try CLIHarness(files: ["agents/tiny.yaml": "model: local/smollm2\n"])
        let outcome = try await cli.run(["run", "tiny", "hello", "--json"])
        #expect(outcome.status == 2)
        let error = try JSONValue.parse(outcome.stdout)["error"]
        #expect(error?["code"] == "model_not_installed")
        #expect(
            error?["message"]?.stringValue?.hasPrefix(
                "provider 'local': the local model server is not installed (no Python at \(cli.root)/.trellis/venv/bin/python)\n"
                    + "install it with: scripts/setup-local-model \(cli.root)") == true, "\(outcome.stdout)")
        #expect(outcome.stderr.contains("error: or by hand, in \(cli.root): python3 -m venv .trellis/venv && "))
    }
}
