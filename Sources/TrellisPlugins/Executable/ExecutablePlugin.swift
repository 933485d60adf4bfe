import Foundation
import TrellisConfig
import TrellisCore

/// An executable plugin ready to run: its manifest, the runtime's environment it draws the allow-list from, and
/// how its calls are stopped.
///
/// ```swift
/// let manifest = try PluginManifest.load(folder: "plugins/units", environment: env)
/// let tools = try await ExecutablePlugin(manifest: manifest, environment: env).tools()
/// let output = try await tools[0].execute(
///     arguments: ["value": 3, "from": "km", "to": "mi"],
///     context: ToolContext(agent: "a", runID: "run_1", callID: "call_1", workspace: "/work"))
/// ```
///
/// Each call runs `command args` in its own process group with only the `env:` allow-list plus `PATH`, `HOME`
/// and `LANG`; see `docs/plugins.md` for the protocol and what happens on each failure.
public struct ExecutablePlugin: Sendable {
    /// The plugin's manifest.
    public let manifest: PluginManifest
    /// The runtime's environment; only the allow-list and `PATH`, `HOME`, `LANG` reach the plugin.
    public let environment: [String: String]
    /// How long a timed-out call gets between SIGTERM and SIGKILL.
    public let killGrace: Duration

    /// The variables every plugin gets from the runtime's environment.
    public static let baseEnvironment = ["PATH", "HOME", "LANG"]

    /// Creates a plugin host.
    ///
    /// - Parameters:
    ///   - manifest: The plugin's manifest.
    ///   - environment: The runtime's environment.
    ///   - killGrace: Time between SIGTERM and SIGKILL when a call passes its timeout (default 1 s).
    public init(manifest: PluginManifest, environment: [String: String], killGrace: Duration = .seconds(1)) {
        self.manifest = manifest
        self.environment = environment
        self.killGrace = killGrace
    }

    /// The plugin's tools: those listed in `plugin.yaml`, or those `command args --describe` reports when the
    /// manifest says `describe: true` (a listed tool wins over a described one of the same name).
    ///
    /// - Throws: ``ExecutablePluginError`` naming the plugin and the cause (with the stderr tail) when
    ///   `--describe` fails or answers something unusable.
    public func tools() async throws -> [ExecutablePluginTool] {
        var definitions = manifest.tools
        if manifest.describe {
            let described = try await describedTools()
            definitions = described.map { tool in manifest.tools.first { $0.name == tool.name } ?? tool }
            definitions += manifest.tools.filter { tool in !described.contains { $0.name == tool.name } }
        }
        return definitions.map { ExecutablePluginTool(definition: $0, plugin: self) }
    }

    /// Runs `command args --describe` (stdin closed at once, the manifest's timeout) and reads its tools.
    ///
    /// - Throws: ``ExecutablePluginError`` naming the plugin and the cause, with the stderr tail.
    public func describedTools() async throws -> [ToolDefinition] {
        switch try await describe() {
        case .success(let tools): return tools
        case .failure(let failure):
            throw ExecutablePluginError(plugin: manifest.name, message: failure.detail)
        }
    }

    /// The `--describe` run, with a failure the check command can report.
    func describe() async throws -> Result<[ToolDefinition], PluginFailure> {
        let process: PluginProcess
        switch self.process(workspace: nil, extraArguments: ["--describe"]) {
        case .success(let ready): process = ready
        case .failure(let failure): return .failure(failure.prefixed("--describe: "))
        }
        let outcome: PluginProcess.Outcome
        do {
            outcome = try await process.run(input: [])
        } catch let failure as PluginProcess.LaunchFailure {
            return .failure(PluginFailure("--describe: cannot start \(process.executable): \(failure.reason)"))
        }
        return process.replyObject(of: outcome)
            .flatMap(Self.toolDefinitions(from:))
            .mapError { PluginFailure("--describe: " + $0.cause, stderr: outcome.stderr) }
    }

    /// The tools of a `--describe` reply: `{"protocol": 1, "tools": [{"name", "description", "parameters"}]}`.
    static func toolDefinitions(from reply: JSONObject) -> Result<[ToolDefinition], PluginFailure> {
        if let version = reply["protocol"], version.intValue != PluginManifest.protocolVersion {
            return .failure(
                PluginFailure(
                    "speaks protocol \(version.serialized()); this Trellis speaks \(PluginManifest.protocolVersion)"))
        }
        guard let entries = reply["tools"]?.arrayValue else {
            return .failure(PluginFailure("the reply has no \"tools\" list ({\"protocol\": 1, \"tools\": [...]})"))
        }
        var tools: [ToolDefinition] = []
        for (index, entry) in entries.enumerated() {
            guard let name = entry["name"]?.stringValue, PluginManifest.isValidToolName(name) else {
                let written = entry["name"]?.serialized() ?? "none"
                return .failure(
                    PluginFailure(
                        "tools[\(index)]: the name must be 1 to 64 letters, digits, '_' or '-', got \(written)"))
            }
            guard !tools.contains(where: { $0.name == name }) else {
                return .failure(PluginFailure("tools[\(index)]: duplicate tool name '\(name)'"))
            }
            let parameters = entry["parameters"] ?? ["type": "object", "properties": [:]]
            if let problem = PluginManifest.parametersProblem(parameters) {
                return .failure(PluginFailure("tool '\(name)': 'parameters' \(problem)"))
            }
            tools.append(
                ToolDefinition(
                    name: name, description: entry["description"]?.stringValue ?? "", parameters: parameters,
                    idempotent: entry["idempotent"]?.boolValue == true))
        }
        return .success(tools)
    }

    // MARK: - Spawning

    /// The environment a plugin process gets: the allow-list plus `PATH`, `HOME` and `LANG`, and nothing else.
    public var scrubbedEnvironment: [String: String] {
        var scrubbed: [String: String] = [:]
        for name in Self.baseEnvironment + manifest.environmentAllowList {
            if let value = environment[name] { scrubbed[name] = value }
        }
        return scrubbed
    }

    /// A process for one call, or why there cannot be one.
    func process(workspace: String?, extraArguments: [String]) -> Result<PluginProcess, PluginFailure> {
        let environment = scrubbedEnvironment
        let directory: String
        switch manifest.workingDirectory {
        case .workspace: directory = workspace ?? manifest.folder
        case .plugin: directory = manifest.folder
        case .path(let path): directory = path
        }
        guard Self.isFolder(directory) else {
            return .failure(PluginFailure("cannot start: the working directory \(directory) does not exist"))
        }
        guard let executable = Self.resolve(manifest.command, path: environment["PATH"]) else {
            let where_ = manifest.command.hasPrefix("/") ? "" : " on PATH (\(environment["PATH"] ?? "unset"))"
            return .failure(
                PluginFailure("cannot start: command '\(manifest.command)' is not an executable file\(where_)"))
        }
        return .success(
            PluginProcess(
                executable: executable, arguments: manifest.arguments + extraArguments, environment: environment,
                workingDirectory: directory, timeout: manifest.timeout.capped, killGrace: killGrace,
                maxOutputBytes: manifest.maxOutputBytes))
    }

    /// An absolute command as is when it is executable; a bare name looked up on `path`.
    ///
    /// Checked with `stat` and `access` on every call (a plugin may be rebuilt while Trellis runs); Foundation's
    /// `FileManager` cost more than the rest of the call's set-up.
    static func resolve(_ command: String, path: String?) -> String? {
        if command.utf8.contains(UInt8(ascii: "/")) { return isExecutableFile(command) ? command : nil }
        for folder in (path ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(command)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Whether `path` is a file (not a folder) this process may execute.
    private static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR && access(path, X_OK) == 0
    }

    /// Whether `path` is a folder.
    private static func isFolder(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
    }
}
