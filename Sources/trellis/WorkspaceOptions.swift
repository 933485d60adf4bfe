import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders
import TrellisRuntime

/// The `--workspace` option shared by every command, and what it loads.
struct WorkspaceOptions: ParsableArguments, Sendable {
    @Option(
        name: .customLong("workspace"),
        help: ArgumentHelp(
            "The workspace folder (trellis.yaml, agents/); default: the current folder (for `run` with an agent "
                + "file: the workspace that file is in).",
            valueName: "dir"))
    var chosenRoot: String?

    /// The workspace folder: `--workspace`, else the current folder.
    var root: String {
        get { chosenRoot ?? "." }
        set { chosenRoot = newValue }
    }

    /// The tools this build knows.
    var registry: ToolRegistry { BuiltinTools.registry }

    /// Loads the workspace, with extra agent files; definition errors exit 2, one line each.
    func load(extraAgentFiles: [String] = []) throws -> Workspace {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIFailure.invalid("workspace '\(root)' is not a folder", code: .invalidUsage)
        }
        do {
            return try Workspace.load(
                root: root, environment: ProcessInfo.processInfo.environment, toolNames: registry.names,
                toolSettingKeys: registry.settingKeys,
                providerKinds: ProviderFactory.kinds, extraAgentFiles: extraAgentFiles)
        } catch {
            throw CLIFailure.invalid(error.description)
        }
    }

    /// A path as an absolute one without `.` or `..` (tools are told the workspace this way).
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Whether an AGENT argument names a file rather than an agent.
    static func isPath(_ agent: String) -> Bool {
        agent.contains("/") || agent.hasSuffix(".yaml") || agent.hasSuffix(".yml")
    }

    /// The workspace an agent file belongs to: the nearest folder, from the file's own upwards, that holds a
    /// `trellis.yaml` or whose `agents/` folder holds the file; `nil` when no folder up to `/` does.
    ///
    /// The folder is given relative to the current one when it is inside it (`.` for the current folder itself).
    static func workspace(ofAgentFile path: String) -> String? {
        let parent = (absolute(path) as NSString).deletingLastPathComponent
        var folder = parent
        while true {
            if FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("trellis.yaml"))
                || (folder as NSString).appendingPathComponent("agents") == parent
            {
                return relativeToCurrent(folder)
            }
            let up = (folder as NSString).deletingLastPathComponent
            if up == folder || up.isEmpty { return nil }
            folder = up
        }
    }

    private static func relativeToCurrent(_ path: String) -> String {
        let current = absolute(FileManager.default.currentDirectoryPath)
        if path == current { return "." }
        if path.hasPrefix(current + "/") { return String(path.dropFirst(current.count + 1)) }
        return path
    }

    /// Finds the agent named or pointed to by an AGENT argument.
    func agent(_ argument: String, in workspace: Workspace) throws -> AgentFile {
        if Self.isPath(argument) {
            let target = URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
            if let file = workspace.agents.first(where: {
                URL(fileURLWithPath: $0.path).standardizedFileURL.resolvingSymlinksInPath().path == target
            }) {
                return file
            }
            throw CLIFailure.invalid("\(argument): no such agent file", code: .unknownAgent)
        }
        do {
            return try workspace.agent(named: argument)
        } catch {
            throw CLIFailure.invalid(error.description, code: .unknownAgent)
        }
    }

    /// Runs `body` with an agent's tools: built-ins, plugins and MCP servers' tools, the servers started on first
    /// use and stopped when `body` ends.
    func withTools<R: Sendable>(
        for agent: AgentFile, in workspace: Workspace, _ body: ([AgentToolbox.Entry]) async throws -> R
    ) async throws -> R {
        try await MCPServerPool.withPool(workspace.resolvedMCPServers) { pool in
            let host = WorkspaceHost(workspace: workspace, registry: registry, pool: pool, localHost: nil)
            return try await body(try await CLIFailure.setup { try await host.tools(for: agent) })
        }
    }

    /// Runs `body` with a host of the workspace's agents. Local model servers and MCP servers are started on first
    /// use and stopped when `body` ends, whether it returns, throws or is cancelled by a signal; a setup failure
    /// `body` meets is a ``CLIFailure`` (exit 2).
    func withAgents<R: Sendable>(in workspace: Workspace, _ body: (WorkspaceHost) async throws -> R)
        async throws -> R
    {
        try await WorkspaceHost.withHost(workspace, registry: registry) { host in
            try await CLIFailure.setup { try await body(host) }
        }
    }
}

extension CLIFailure {
    /// Runs `body`, a ``WorkspaceSetupError`` it throws becoming a failure with the same message and code (exit 2).
    static func setup<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as WorkspaceSetupError {
            throw CLIFailure.invalid(error.message, code: Code(rawValue: error.code.rawValue) ?? .invalidDefinition)
        }
    }
}
