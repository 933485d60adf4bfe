import Foundation
import TrellisConfig
import TrellisCore

/// The tools compiled into Trellis: `clock`, `calculator`, `http_get`, `read_file`, `list_files`.
public enum BuiltinTools {
    /// Adds the built-in tool factories to a registry.
    public static func register(in registry: inout ToolRegistry) {
        registry.register(
            ToolFactory(name: "clock", summary: "current date and time in any IANA time zone", settingKeys: []) { _ in
                ClockTool()
            })
        registry.register(
            ToolFactory(
                name: "calculator", summary: "arithmetic expressions, parsed (never evaluated as code)", settingKeys: []
            ) { _ in
                CalculatorTool()
            })
        registry.register(
            ToolFactory(
                name: "http_get", summary: "fetch a URL from allow-listed hosts",
                settingKeys: ["allow_hosts", "max_bytes", "timeout"]
            ) { setup in
                let hosts = try stringList(setup.settings["allow_hosts"], key: "tools.http_get.allow_hosts")
                let maxBytes = try byteCap(setup.settings["max_bytes"], key: "tools.http_get.max_bytes") ?? 1_000_000
                let timeout = try timeout(setup.settings["timeout"], key: "tools.http_get.timeout") ?? .seconds(10)
                return HTTPGetTool(allowHosts: hosts, maxBytes: maxBytes, timeout: timeout)
            })
        registry.register(
            ToolFactory(
                name: "read_file", summary: "read a text file under a root folder", settingKeys: ["root", "max_bytes"]
            ) { setup in
                let maxBytes = try byteCap(setup.settings["max_bytes"], key: "tools.read_file.max_bytes") ?? 256 * 1024
                return ReadFileTool(root: try root(setup, tool: "read_file"), maxBytes: maxBytes)
            })
        registry.register(
            ToolFactory(name: "list_files", summary: "list a folder under a root folder", settingKeys: ["root"]) {
                setup in
                ListFilesTool(root: try root(setup, tool: "list_files"))
            })
    }

    /// A registry holding just the built-ins.
    public static var registry: ToolRegistry {
        var registry = ToolRegistry()
        register(in: &registry)
        return registry
    }

    private static func root(_ setup: ToolSetup, tool: String) throws -> String {
        let relative = setup.settings["root"]?.stringValue ?? "."
        let path =
            relative.hasPrefix("/") ? relative : (setup.workspaceRoot as NSString).appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ToolSetupError("tools.\(tool).root '\(relative)' is not a folder")
        }
        return path
    }

    private static func stringList(_ value: JSONValue?, key: String) throws -> [String] {
        switch value {
        case nil: return []
        case .string(let text)?: return [text]
        case .array(let items)?:
            return try items.map {
                guard let text = $0.stringValue else { throw ToolSetupError("\(key) must be a list of strings") }
                return text
            }
        default: throw ToolSetupError("\(key) must be a list of strings")
        }
    }

    private static func byteCap(_ value: JSONValue?, key: String) throws -> Int? {
        guard let value else { return nil }
        guard case .integer(let number) = value, ConfigLimits.byteCap.contains(number) else {
            throw ToolSetupError(
                "\(key) must be a number of bytes from 1 to \(ConfigLimits.byteCap.upperBound) (1 GiB)")
        }
        return number
    }

    private static func timeout(_ value: JSONValue?, key: String) throws -> Duration? {
        guard let value else { return nil }
        guard let seconds = value.doubleValue,
            let timeout = Duration.checked(seconds: seconds, in: ConfigLimits.timeout)
        else {
            throw ToolSetupError("\(key) must be a number of seconds from 0.001 to 86400 (24 hours)")
        }
        return timeout
    }
}
