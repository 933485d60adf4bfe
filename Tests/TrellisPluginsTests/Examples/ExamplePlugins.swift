import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

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
        var manifest = try PluginManifest.load(folder: folder(name), environment: environment)
        // These tests check what the plugins answer, not how fast: beside the whole suite on 2 cores (model
        // servers, builds) a 10 s call deadline was missed by calls that take milliseconds alone.
        manifest.timeout = max(manifest.timeout, .seconds(60))
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
