import Foundation
import TrellisConfig
import TrellisCore
import TrellisProviders

/// A temporary workspace folder with `agents/` and an optional `trellis.yaml`.
struct WorkspaceFixture {
    let root: String

    init(agents: [String: String], workspace: String? = nil) throws {
        root = NSTemporaryDirectory() + "trellis-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/agents", withIntermediateDirectories: true)
        for (name, text) in agents {
            try text.write(toFile: root + "/agents/\(name).yaml", atomically: true, encoding: .utf8)
        }
        if let workspace { try workspace.write(toFile: root + "/trellis.yaml", atomically: true, encoding: .utf8) }
    }

    static let tools = ["calculator", "clock", "http_get", "list_files", "read_file"]
    /// The setting keys the built-ins declare (as `BuiltinTools` does), so `tools:` blocks are checked.
    static let settingKeys: [String: [String]] = [
        "calculator": [], "clock": [], "http_get": ["allow_hosts", "max_bytes", "timeout"],
        "list_files": ["root"], "read_file": ["root", "max_bytes"],
    ]
    /// The kinds the shipped build speaks, so these tests check the real provider table.
    static let providerKinds: [ProviderKind] = ProviderFactory.kinds

    func load(environment: [String: String] = [:]) throws -> Workspace {
        try Workspace.load(
            root: root, environment: environment, toolNames: Self.tools, toolSettingKeys: Self.settingKeys,
            providerKinds: Self.providerKinds)
    }

    /// The error lines a load produces, with the root replaced by `WS`.
    func errors(environment: [String: String] = [:]) -> [String] {
        do {
            _ = try load(environment: environment)
            return []
        } catch let error as DefinitionErrors {
            return error.errors.map { $0.description.replacingOccurrences(of: root, with: "WS") }
        } catch {
            return ["unexpected error: \(error)"]
        }
    }
}
