import Foundation
import Synchronization
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Shared helpers for the MCP suites.

enum MCPTestSupport {
    /// Tests/TrellisPluginsTests/Fixtures/mcp/fixture_server.py.
    static let fixtureServer = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/mcp/fixture_server.py").path

    /// The Python interpreter itself, not a launcher such as a pyenv shim (which adds variables and start-up time);
    /// asked of `python3` once.
    static func python() async -> String {
        if let known = knownPython.withLock({ $0 }) { return known }
        let answer = try? await ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"])
        let path = answer.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        let python = answer?.status == 0 && !path.isEmpty ? path : "python3"
        knownPython.withLock { $0 = python }
        return python
    }

    private static let knownPython = Mutex<String?>(nil)

    /// The fixture server with the given flags and short time limits.
    static func fixture(
        _ name: String = "fixture", _ flags: [String] = [], startupTimeout: Duration = .seconds(60),
        callTimeout: Duration = .seconds(30)
    ) async -> MCPServerSettings {
        MCPServerSettings(
            name: name, command: await python(), arguments: [fixtureServer] + flags, startupTimeout: startupTimeout,
            callTimeout: callTimeout)
    }

    /// Whether an executable is on our PATH.
    static func onPath(_ name: String) -> Bool {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return folders.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Whether no process has this id any more (not even a zombie).
    static func isGone(_ pid: Int32) -> Bool {
        kill(pid, 0) == -1 && errno == ESRCH
    }

    /// Whether a process that is not our child (a server's own child) is gone within two seconds: it was killed
    /// with its group, and the init process still has to reap it.
    static func isGoneSoon(_ pid: Int32) async -> Bool {
        for _ in 0..<200 {
            if isGone(pid) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return isGone(pid)
    }
}

extension MCPServerPool {
    /// The tool of a server with this name.
    func tool(_ name: String, of server: String) async throws -> MCPTool {
        try #require(try await tools(of: server).first { $0.definition.name == name }, "no tool \(name)")
    }

    /// Calls a tool of a server with arguments given as JSON text.
    func call(_ name: String, of server: String, _ arguments: String = "{}") async throws -> ToolOutput {
        let tool = try await tool(name, of: server)
        return try await tool.execute(arguments: try JSONValue.parse(arguments), context: testContext)
    }
}

/// The thrown error's text, or a note that nothing was thrown.
func errorText(_ body: () async throws -> some Any) async -> String {
    do {
        _ = try await body()
        return "(no error)"
    } catch {
        return "\(error)"
    }
}

/// A file the fixture server appends its process ids to (`--pid-file`), removed on `deinit`.
final class PIDFile: Sendable {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-mcp-\(UUID().uuidString).pids")
        .path

    /// The flags that make the fixture record its id here.
    var flags: [String] { ["--pid-file", path] }

    /// Every id recorded so far, in start order.
    var pids: [Int32] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Int32($0) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
