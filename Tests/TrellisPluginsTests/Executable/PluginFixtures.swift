import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Shared helpers for the executable-plugin suites.

/// The fixture plugins in Tests/TrellisPluginsTests/Fixtures/plugins, one folder per behaviour.
enum PluginFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/plugins").path

    /// Time between SIGTERM and SIGKILL in these tests.
    static let grace: Duration = .milliseconds(200)

    /// The runtime environment the tests hand to plugins: the three base variables, two allow-listed ones and a
    /// secret that must never arrive.
    static func environment(pids: FixturePIDs? = nil) -> [String: String] {
        var environment = [
            "PATH": "/usr/bin:/bin", "HOME": NSHomeDirectory(), "LANG": "C.UTF-8", "FIXTURE_ALLOWED": "yes",
            "SECRET_TOKEN": "hunter2",
        ]
        environment["FIXTURE_PIDS"] = pids?.path
        return environment
    }

    /// A fixture plugin, its timeout shortened when given.
    static func plugin(
        _ name: String, timeout: Duration? = nil, pids: FixturePIDs? = nil,
        edit: (inout PluginManifest) -> Void = { _ in }
    ) throws -> ExecutablePlugin {
        var manifest = try PluginManifest.load(folder: root + "/" + name, environment: [:])
        if let timeout { manifest.timeout = timeout }
        edit(&manifest)
        return ExecutablePlugin(manifest: manifest, environment: environment(pids: pids), killGrace: grace)
    }

    /// The plugin's tool of that name.
    static func tool(_ plugin: ExecutablePlugin, _ name: String = "run") async throws -> ExecutablePluginTool {
        try #require(try await plugin.tools().first { $0.definition.name == name })
    }

    static let context = ToolContext(
        agent: "tester", runID: "run_7", callID: "call_1", workspace: NSTemporaryDirectory())
}

/// A file fixtures append their process ids to (the allow-listed `FIXTURE_PIDS`), removed on `deinit`.
final class FixturePIDs: Sendable {
    let path = NSTemporaryDirectory() + "trellis-pids-\(UUID().uuidString)"

    init() { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The ids written so far.
    var pids: [Int32] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline)
            .compactMap { Int32($0) }
    }

    /// Whether every recorded process has ended, waiting up to two seconds for SIGKILL to take effect (a kill is
    /// delivered asynchronously). A zombie counts as ended: it runs no code and only waits for its parent.
    func allGone() async -> Bool {
        for _ in 0..<200 {
            if pids.allSatisfy(Self.isGone) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    static func isGone(_ pid: Int32) -> Bool {
        if kill(pid, 0) == -1 && errno == ESRCH { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }
}

extension ContinuousClock.Instant {
    /// Time since this instant.
    var elapsed: Duration { ContinuousClock.now - self }
}
