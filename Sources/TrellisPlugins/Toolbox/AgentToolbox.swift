import TrellisConfig
import TrellisCore

/// Builds the tools an agent lists — built-ins, executable plugins and MCP servers' tools — as the runner needs
/// them, each with where it came from.
///
/// ```swift
/// try await MCPServerPool.withPool(workspace.resolvedMCPServers) { pool in
///     let toolbox = AgentToolbox(workspace: workspace, registry: BuiltinTools.registry, environment: env, mcp: pool)
///     let tools = try await toolbox.tools(for: try workspace.agent(named: "assistant"))
///     let runner = AgentRunner(provider: provider, tools: tools.map(\.executor))
/// }
/// ```
///
/// A plugin's or server's tool whose name another tool of the agent already has is offered as `SOURCE_TOOL`
/// (`time_get_current_time`), so the model sees unique names.
public struct AgentToolbox: Sendable {
    /// One tool an agent can call.
    public struct Entry: Sendable {
        /// The tool, named as the model sees it.
        public var executor: any ToolExecutor
        /// Where it comes from: `builtin`, `plugin:NAME` or `mcp:NAME`.
        public var source: String
    }

    /// The workspace the agent belongs to.
    public let workspace: Workspace
    /// The built-in and registered tools.
    public let registry: ToolRegistry
    /// The runtime's environment; plugins get only their allow-list of it.
    public let environment: [String: String]
    /// The running MCP servers, or `nil` when the caller has none (then `{mcp: NAME}` entries are an error).
    public let mcp: MCPServerPool?
    /// Plugins' tools already read, shared by the toolboxes of one process; `nil` reads them every time.
    public let descriptions: PluginDescriptions?

    /// Creates a toolbox.
    public init(
        workspace: Workspace, registry: ToolRegistry, environment: [String: String], mcp: MCPServerPool?,
        descriptions: PluginDescriptions? = nil
    ) {
        self.workspace = workspace
        self.registry = registry
        self.environment = environment
        self.mcp = mcp
        self.descriptions = descriptions
    }

    /// The agent's tools in the order its `tools:` lists them, filtered by each entry's `allow:`.
    ///
    /// - Throws: ``ToolSetupError`` naming the place in the agent file or `trellis.yaml` and the cause: a bad tool
    ///   setting, a plugin whose `--describe` fails, an MCP server that does not start, an `allow:` name the source
    ///   does not offer, or two tools that would still share a name.
    public func tools(for agent: AgentFile) async throws(ToolSetupError) -> [Entry] {
        var entries: [Entry] = []
        for (index, reference) in agent.definition.tools.enumerated() {
            let place = agent.place(ofTool: index)
            let offered: [any ToolExecutor]
            do {
                offered = try await tools(of: reference)
            } catch {
                throw ToolSetupError("\(place): \(error)")
            }
            for tool in try allowed(offered, by: reference, place: place) {
                entries.append(
                    Entry(
                        executor: try uniquelyNamed(tool, reference, among: entries, place: place),
                        source: Self.source(of: reference)))
            }
        }
        return entries
    }

    /// Every tool one reference stands for, before `allow:`: a built-in, a plugin's tools (running `--describe`
    /// when its manifest asks for it) or an MCP server's tools (starting the server if needed).
    ///
    /// - Throws: ``ToolSetupError`` naming the tool, plugin or server and the cause.
    public func tools(of reference: ToolReference) async throws(ToolSetupError) -> [any ToolExecutor] {
        switch reference.source {
        case .builtin: return [try builtin(reference.name)]
        case .plugin: return try await pluginTools(reference.name)
        case .mcp: return try await mcpTools(reference.name)
        }
    }

    /// `builtin`, `plugin:NAME` or `mcp:NAME`.
    public static func source(of reference: ToolReference) -> String {
        reference.source == .builtin ? "builtin" : "\(reference.source.rawValue):\(reference.name)"
    }

    /// Builds the agent's built-in tools only, to check their `trellis.yaml` settings without starting anything.
    ///
    /// - Throws: ``ToolSetupError`` naming the setting's place and what is wrong with it.
    public func checkBuiltinSettings(of agent: AgentFile) throws(ToolSetupError) {
        for reference in agent.definition.tools where reference.source == .builtin { _ = try builtin(reference.name) }
    }

    /// Builds every built-in tool that has a `tools.<name>` block in `trellis.yaml` or that an agent lists, to check
    /// their settings without starting anything, also of tools no agent uses.
    ///
    /// - Returns: One problem per tool whose settings are wrong, naming the place; tools in name order.
    public func checkToolSettings() -> [ToolSetupError] {
        var names = Set(workspace.configuration.toolSettings.keys)
        for agent in workspace.agents {
            for reference in agent.definition.tools where reference.source == .builtin { names.insert(reference.name) }
        }
        var problems: [ToolSetupError] = []
        for name in names.sorted() {
            do {
                _ = try builtin(name)
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    private func builtin(_ name: String) throws(ToolSetupError) -> any ToolExecutor {
        guard let factory = registry[name] else { throw ToolSetupError("unknown tool '\(name)'") }
        let settings = workspace.configuration.toolSettings[name]
        do {
            return try factory.build(
                ToolSetup(settings: settings?.values ?? JSONObject(), workspaceRoot: workspace.root))
        } catch {
            let place = settings?.place ?? workspace.root + "/trellis.yaml"
            throw ToolSetupError("\(place): \(error)")
        }
    }

    private func pluginTools(_ name: String) async throws(ToolSetupError) -> [any ToolExecutor] {
        guard let manifest = workspace.plugin(named: name) else { throw ToolSetupError("unknown plugin '\(name)'") }
        let plugin = ExecutablePlugin(manifest: manifest, environment: environment)
        do {
            guard let descriptions else { return try await plugin.tools() }
            return try await descriptions.tools(of: name) { try await plugin.tools() }
        } catch {
            throw ToolSetupError("\(error)")
        }
    }

    private func mcpTools(_ name: String) async throws(ToolSetupError) -> [any ToolExecutor] {
        guard let mcp else { throw ToolSetupError("MCP servers are not available here") }
        do {
            return try await mcp.tools(of: name)
        } catch {
            throw ToolSetupError("\(error)")
        }
    }

    private func allowed(
        _ tools: [any ToolExecutor], by reference: ToolReference, place: String
    ) throws(ToolSetupError) -> [any ToolExecutor] {
        guard let allow = reference.allow else { return tools }
        let names = tools.map(\.definition.name)
        for name in allow where !names.contains(name) {
            let what = reference.source == .mcp ? "MCP server" : "plugin"
            throw ToolSetupError(
                "\(place): \(what) '\(reference.name)' has no tool '\(name)'; it offers: "
                    + (names.isEmpty ? "none" : names.joined(separator: ", ")))
        }
        return tools.filter { allow.contains($0.definition.name) }
    }

    private func uniquelyNamed(
        _ tool: any ToolExecutor, _ reference: ToolReference, among entries: [Entry], place: String
    ) throws(ToolSetupError) -> any ToolExecutor {
        let taken = Set(entries.map(\.executor.definition.name))
        let name = tool.definition.name
        guard taken.contains(name) else { return tool }
        let prefixed = "\(reference.name)_\(name)"
        guard reference.source != .builtin, !taken.contains(prefixed) else {
            throw ToolSetupError("\(place): two tools of this agent are named '\(name)'")
        }
        return RenamedTool(base: tool, name: prefixed)
    }
}
