import Foundation
import Testing
import TrellisCore

// Shared fixtures for the built-in tool suites.

/// A context for calling a tool directly.
let testContext = ToolContext(agent: "tester", runID: "run_test", callID: "call_1")

extension ToolExecutor {
    /// Calls the tool with arguments given as JSON text, after checking them against the tool's schema as the
    /// runner would.
    func call(_ arguments: String) async throws -> ToolOutput {
        let value = try JSONValue.parse(arguments)
        let problems = JSONSchemaValidator(schema: definition.parameters).violations(of: value)
        try #require(problems.isEmpty, "arguments rejected by the schema: \(problems)")
        return try await execute(arguments: value, context: testContext)
    }
}

/// A fresh folder tree under the system temporary directory, removed on `deinit`:
///
/// ```
/// <base>/root/notes.txt            "hello"
/// <base>/root/sub/inner.txt        "inner"
/// <base>/root/empty/
/// <base>/root/escape.txt  -> <base>/outside/secret.txt
/// <base>/root/escape-dir  -> <base>/outside
/// <base>/root/local-link  -> <base>/root/notes.txt
/// <base>/outside/secret.txt        "top secret"
/// <base>/root-evil/secret.txt      "evil"
/// <base>/root-link        -> <base>/root
/// ```
final class TemporaryTree: Sendable {
    let base: String
    var root: String { base + "/root" }
    var outside: String { base + "/outside" }

    init() throws {
        base =
            FileManager.default.temporaryDirectory.appendingPathComponent("trellis-tests-\(UUID().uuidString)")
            .path
        let files = FileManager.default
        for folder in ["root/sub", "root/empty", "outside", "root-evil"] {
            try files.createDirectory(atPath: base + "/" + folder, withIntermediateDirectories: true)
        }
        try write("hello", to: "root/notes.txt")
        try write("inner", to: "root/sub/inner.txt")
        try write("top secret", to: "outside/secret.txt")
        try write("evil", to: "root-evil/secret.txt")
        try files.createSymbolicLink(atPath: root + "/escape.txt", withDestinationPath: outside + "/secret.txt")
        try files.createSymbolicLink(atPath: root + "/escape-dir", withDestinationPath: outside)
        try files.createSymbolicLink(atPath: root + "/local-link", withDestinationPath: root + "/notes.txt")
        try files.createSymbolicLink(atPath: base + "/root-link", withDestinationPath: root)
    }

    func write(_ text: String, to relative: String) throws {
        try text.write(toFile: base + "/" + relative, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }
}
