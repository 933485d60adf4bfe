import TrellisConfig
import TrellisCore

extension AgentToolbox {
    /// Checks what only running the tool sources can tell (`trellis validate --deep`): starts every MCP server an
    /// agent uses and runs `--describe` of every plugin that describes itself, then checks each agent's `allow:`
    /// names against the tools offered and its forced `tool_choice` and `stop_at_tools` names against its full
    /// tool list.
    ///
    /// A source that cannot start is a problem, with its stderr tail, reported once at its definition (the
    /// `mcp_servers:` entry or the `plugin.yaml`); the agents using it are not checked further against it.
    ///
    /// - Important: The toolbox needs an ``MCPServerPool``; the servers stop when the pool's scope ends.
    /// - Returns: The problems, one `path:line:column: message` each (a message may go on with the stderr tail).
    public func deepCheck() async -> [String] {
        var problems: [String] = []
        var offered: [String: [String]] = [:]
        for reference in Self.runtimeSources(of: workspace) {
            do {
                offered[Self.source(of: reference)] = try await tools(of: reference).map(\.definition.name)
            } catch {
                problems.append("\(definitionPlace(of: reference)): \(error)")
            }
        }
        for agent in workspace.agents {
            problems += check(agent, offered: offered)
        }
        return problems
    }

    /// The plugins that describe themselves and the MCP servers agents use, each once.
    private static func runtimeSources(of workspace: Workspace) -> [ToolReference] {
        var references = workspace.plugins.filter(\.describe).map { ToolReference(name: $0.name, source: .plugin) }
        for agent in workspace.agents {
            for reference in agent.definition.tools where reference.source == .mcp {
                guard !references.contains(where: { $0.source == .mcp && $0.name == reference.name }) else { continue }
                references.append(ToolReference(name: reference.name, source: .mcp))
            }
        }
        return references
    }

    private func definitionPlace(of reference: ToolReference) -> String {
        switch reference.source {
        case .mcp: workspace.configuration.mcpServers[reference.name]?.place ?? workspace.root + "/trellis.yaml"
        case .plugin: workspace.plugin(named: reference.name)?.file ?? workspace.root + "/plugins"
        case .builtin: workspace.root
        }
    }

    /// One agent's `allow:` lists, forced `tool_choice` and `stop_at_tools` against the tools its sources offer.
    private func check(_ agent: AgentFile, offered: [String: [String]]) -> [String] {
        var problems: [String] = []
        var names: [String] = []
        var complete = true
        for (index, reference) in agent.definition.tools.enumerated() {
            let available: [String]
            switch reference.source {
            case .builtin:
                available = [reference.name]
            case .plugin, .mcp:
                if let known = offered[Self.source(of: reference)] {
                    available = known
                } else if reference.source == .plugin, let plugin = workspace.plugin(named: reference.name),
                    !plugin.describe
                {
                    available = plugin.tools.map(\.name)
                } else {
                    complete = false
                    continue
                }
            }
            let what = reference.source == .mcp ? "MCP server" : "plugin"
            for (entry, name) in (reference.allow ?? []).enumerated() where !available.contains(name) {
                let message =
                    "\(what) '\(reference.name)' has no tool '\(name)'\(Suggestions.hint(for: name, in: available)); "
                    + "it offers: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
                problems.append(agent.error(at: .allow(tool: index, entry: entry), message).description)
                // The agent's tool list depends on the broken name: the other names are not checked against it.
                complete = false
            }
            for name in available where reference.allow?.contains(name) ?? true {
                // As ``tools(for:)`` names them: a plugin's or server's tool whose name is taken is SOURCE_TOOL.
                names.append(reference.source != .builtin && names.contains(name) ? "\(reference.name)_\(name)" : name)
            }
        }
        if complete {
            problems += Workspace.missingTools(of: agent, among: names).map(\.description)
        }
        return problems
    }
}
