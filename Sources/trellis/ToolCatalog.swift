import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// Every tool a workspace offers: the built-ins, each plugin's tools and each MCP server's tools.
struct ToolCatalog {
    /// One tool.
    struct Entry {
        /// The tool's own name.
        var name: String
        /// `builtin`, `plugin:NAME` or `mcp:NAME`.
        var source: String
        /// The plugin or server name, `nil` for built-ins.
        var owner: String?
        var executor: any ToolExecutor
    }

    var entries: [Entry] = []
    /// Plugins or servers whose tools could not be listed, one message each.
    var problems: [String] = []

    /// Runs `body` with the catalog; MCP servers stay up until it returns.
    ///
    /// - Parameter wanted: A tool name (`convert`) or `SOURCE/TOOL`: only what is needed to find it is started.
    static func with<R: Sendable>(
        _ workspace: Workspace, options: WorkspaceOptions, wanted: String? = nil,
        _ body: (ToolCatalog) async throws -> R
    ) async throws -> R {
        let owner = wanted.flatMap { $0.firstIndex(of: "/").map { String(wanted![..<$0]) } }
        return try await MCPServerPool.withPool(workspace.resolvedMCPServers) { pool in
            var catalog = ToolCatalog()
            let toolbox = AgentToolbox(
                workspace: workspace, registry: options.registry, environment: ProcessInfo.processInfo.environment,
                mcp: pool)
            func add(_ reference: ToolReference) async {
                do {
                    for tool in try await toolbox.tools(of: reference) {
                        catalog.entries.append(
                            Entry(
                                name: tool.definition.name, source: AgentToolbox.source(of: reference),
                                owner: reference.source == .builtin ? nil : reference.name, executor: tool))
                    }
                } catch {
                    catalog.problems.append(error.message)
                }
            }
            let local =
                (owner == nil ? options.registry.names.map { ToolReference(name: $0) } : [])
                + workspace.plugins.map { ToolReference(name: $0.name, source: .plugin) }
            for reference in local where owner == nil || owner == reference.name { await add(reference) }
            // Servers are started only when what is wanted is not found without them.
            let found = wanted.map { name in catalog.entries.contains { $0.name == name } } ?? false
            for server in workspace.resolvedMCPServers where !found && (owner == nil || owner == server.name) {
                await add(ToolReference(name: server.name, source: .mcp))
            }
            return try await body(catalog)
        }
    }

    /// The tool a `NAME` or `SOURCE/NAME` argument means.
    func entry(named argument: String) throws -> Entry {
        let matches: [Entry]
        if let slash = argument.firstIndex(of: "/") {
            let owner = String(argument[..<slash])
            let name = String(argument[argument.index(after: slash)...])
            matches = entries.filter { $0.owner == owner && $0.name == name }
        } else {
            matches = entries.filter { $0.name == argument }
        }
        if matches.count == 1, let match = matches.first { return match }
        if matches.count > 1 {
            let names = matches.map { "\($0.owner ?? "builtin")/\($0.name)" }
            throw CLIFailure.invalid(
                "tool '\(argument)' is offered by several sources; name one: \(names.joined(separator: ", "))")
        }
        let known = entries.map { entry in (entry.owner.map { "\($0)/" } ?? "") + entry.name }
        let problems = self.problems.isEmpty ? "" : "\n" + self.problems.joined(separator: "\n")
        throw CLIFailure.invalid(
            "no tool '\(argument)'\(Suggestions.hint(for: argument, in: known)); tools: "
                + (known.isEmpty ? "none" : known.joined(separator: ", ")) + problems)
    }
}
