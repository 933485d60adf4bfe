import TrellisCore

/// An executable plugin's `plugin.yaml`, read and checked: what to run, how, and which tools it offers.
///
/// A plugin is a folder `plugins/NAME/` holding `plugin.yaml`; `docs/plugins.md` is the normative description of
/// the file and of the protocol the program speaks.
///
/// ```swift
/// let manifest = try PluginManifest.load(folder: "plugins/units", environment: env)
/// print(manifest.command, manifest.tools.map(\.name))
/// ```
public struct PluginManifest: Sendable, Hashable {
    /// The protocol version this runtime speaks.
    public static let protocolVersion = 1
    /// The default time one call may take.
    public static let defaultTimeout: Duration = .seconds(30)
    /// The default cap on a call's stdout, in bytes (1 MiB).
    public static let defaultMaxOutputBytes = 1_048_576

    /// The plugin's name: its folder's name.
    public var name: String
    /// One line about the plugin.
    public var description: String
    /// The plugin's folder, absolute.
    public var folder: String
    /// The manifest file, `folder/plugin.yaml`.
    public var file: String
    /// The program: an absolute path when `plugin.yaml` wrote a path (a relative one resolves against
    /// ``folder``), otherwise a bare name looked up on `PATH` when the plugin runs.
    public var command: String
    /// Arguments passed before anything the runtime adds (`--describe`).
    public var arguments: [String]
    /// How long one call may take before the process group gets SIGTERM, then SIGKILL.
    public var timeout: Duration
    /// Names of the runtime's environment variables passed to the plugin, besides `PATH`, `HOME` and `LANG`.
    public var environmentAllowList: [String]
    /// Where the plugin runs.
    public var workingDirectory: WorkingDirectory
    /// The most stdout bytes one call may write; more kills the call.
    public var maxOutputBytes: Int
    /// Whether the tools come from running `command arguments --describe` (listed ``tools`` still win).
    public var describe: Bool
    /// The tools listed in `plugin.yaml`.
    public var tools: [ToolDefinition]
    /// `path:line:column` of each listed tool, by tool name, for errors about it.
    public var toolPlaces: [String: String]

    /// Where a plugin process runs.
    public enum WorkingDirectory: Sendable, Hashable {
        /// The workspace of the run that makes the call (the default); the plugin's folder when there is none.
        case workspace
        /// The plugin's folder.
        case plugin
        /// A fixed folder, absolute (written relative to the plugin's folder in `plugin.yaml`).
        case path(String)
    }

    /// Creates a manifest; the defaults are those of an empty `plugin.yaml`.
    public init(
        name: String, description: String = "", folder: String, command: String, arguments: [String] = [],
        timeout: Duration = PluginManifest.defaultTimeout, environmentAllowList: [String] = [],
        workingDirectory: WorkingDirectory = .workspace, maxOutputBytes: Int = PluginManifest.defaultMaxOutputBytes,
        describe: Bool = false, tools: [ToolDefinition] = [], toolPlaces: [String: String] = [:]
    ) {
        self.name = name
        self.description = description
        self.folder = folder
        self.file = folder + "/plugin.yaml"
        self.command = command
        self.arguments = arguments
        self.timeout = timeout
        self.environmentAllowList = environmentAllowList
        self.workingDirectory = workingDirectory
        self.maxOutputBytes = maxOutputBytes
        self.describe = describe
        self.tools = tools
        self.toolPlaces = toolPlaces
    }

    /// `path:line:column` of a listed tool, or the manifest file for a tool that came from `--describe`.
    public func place(ofTool name: String) -> String { toolPlaces[name] ?? file }

    /// Whether a tool name is acceptable: 1 to 64 ASCII letters, digits, `_` or `-` (what model APIs accept).
    public static func isValidToolName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}
