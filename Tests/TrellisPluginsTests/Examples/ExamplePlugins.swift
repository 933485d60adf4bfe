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

// Shared helpers for the suites of the example plugins in plugins/ (sqlite, units, jsonq).

/// The example plugins, loaded from the repository's plugins/ folder and run through the real host.
enum ExamplePlugins {
    /// The repository root: four levels above this file (Tests/TrellisPluginsTests/Examples/ExamplePlugins.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The folder of an example plugin.
    static func folder(_ name: String) -> String { repositoryRoot + "/plugins/" + name }

    /// The `jsonq` binary built with the tests (the test target depends on it), so a release test build runs the
    /// release plugin; `nil` where the bundle's folder is unknown (the manifest's default path applies).
    static var builtJSONQ: String? {
        let candidate = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("jsonq").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// The runtime environment: the test process's own (PATH finds python3; TRELLIS_PYTHON is honoured), with
    /// TRELLIS_JSONQ pointing at the jsonq built with the tests.
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let builtJSONQ { environment["TRELLIS_JSONQ"] = builtJSONQ }
        return environment
    }

    /// An example plugin as the runtime loads it.
    static func plugin(_ name: String) throws -> ExecutablePlugin {
        let manifest = try PluginManifest.load(folder: folder(name), environment: environment)
        return ExecutablePlugin(manifest: manifest, environment: environment)
    }

    /// Calls one tool of an example plugin through the host, as an agent run would.
    static func call(
        _ name: String, _ tool: String, _ arguments: JSONValue, workspace: String? = NSTemporaryDirectory(),
        callID: String = "call_1"
    ) async throws -> ToolOutput {
        let tools = try await plugin(name).tools()
        let executor = try #require(tools.first { $0.definition.name == tool }, "\(name) has no tool \(tool)")
        let context = ToolContext(agent: "tester", runID: "run_examples", callID: callID, workspace: workspace)
        return try await executor.execute(arguments: arguments, context: context)
    }

    /// A successful call's content as JSON.
    static func json(_ output: ToolOutput, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        #expect(!output.isError, "unexpected error result: \(output.content)", sourceLocation: sourceLocation)
        return try JSONValue.parse(output.content)
    }

    /// Expects a successful call whose content is the JSON `expected`. Both sides are compared serialised with
    /// sorted keys, so `25.0` equals `25` as it does in JSON; a string result arrives as its text, as the model
    /// sees it.
    static func expectJSON(
        _ output: ToolOutput, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let wanted = try JSONValue.parse(expected)
        if case .string(let text) = wanted {
            #expect(output == ToolOutput(text), sourceLocation: sourceLocation)
            return
        }
        let got = try json(output, sourceLocation: sourceLocation).serialized(sortedKeys: true)
        #expect(got == wanted.serialized(sortedKeys: true), sourceLocation: sourceLocation)
    }
}

/// What a program run directly (not through the host) printed and returned.
struct DirectRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `executable arguments` with `stdin`, output through files so a large one cannot block the child;
    /// the process gets SIGKILL when it passes `timeout`.
    static func run(
        _ executable: String, _ arguments: [String] = [], stdin: String = "", timeout: Duration = .seconds(20)
    ) async throws -> DirectRun {
        let folder = NSTemporaryDirectory() + "trellis-direct-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["in", "out", "err"] {
            _ = FileManager.default.createFile(atPath: folder + "/" + name, contents: nil)
        }
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: folder + "/in"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: folder + "/in"))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/err"))
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("\(executable) did not finish within \(timeout)")
        }
        process.waitUntilExit()
        return DirectRun(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? "")
    }
}
