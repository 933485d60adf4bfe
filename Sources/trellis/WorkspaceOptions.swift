import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// The `--workspace` option shared by every command, and what it loads.
struct WorkspaceOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("workspace"), help: "The workspace folder (trellis.yaml, agents/).")
    var root: String = "."

    /// The tools this build knows.
    var registry: ToolRegistry { BuiltinTools.registry }

    /// Loads the workspace, with extra agent files; definition errors exit 2, one line each.
    func load(extraAgentFiles: [String] = []) throws -> Workspace {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIFailure.invalid("workspace '\(root)' is not a folder")
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

    /// Finds the agent named or pointed to by an AGENT argument.
    func agent(_ argument: String, in workspace: Workspace) throws -> AgentFile {
        if Self.isPath(argument) {
            let target = URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
            if let file = workspace.agents.first(where: {
                URL(fileURLWithPath: $0.path).standardizedFileURL.resolvingSymlinksInPath().path == target
            }) {
                return file
            }
            throw CLIFailure.invalid("\(argument): no such agent file")
        }
        do {
            return try workspace.agent(named: argument)
        } catch {
            throw CLIFailure.invalid(error.description)
        }
    }

    /// Runs `body` with an agent's tools: built-ins, plugins and MCP servers' tools, the servers started on first
    /// use and stopped when `body` ends.
    func withTools<R: Sendable>(
        for agent: AgentFile, in workspace: Workspace, _ body: ([AgentToolbox.Entry]) async throws -> R
    ) async throws -> R {
        try await MCPServerPool.withPool(workspace.resolvedMCPServers) { pool in
            let toolbox = AgentToolbox(
                workspace: workspace, registry: registry, environment: ProcessInfo.processInfo.environment, mcp: pool)
            let tools: [AgentToolbox.Entry]
            do {
                tools = try await toolbox.tools(for: agent)
            } catch {
                throw CLIFailure.invalid("agent '\(agent.definition.name)': \(error)")
            }
            return try await body(tools)
        }
    }

    /// Builds what an agent talks to: its model and fallbacks as a ``ModelChain``, priced from each provider's
    /// `pricing:` table.
    func provider(for agent: AgentDefinition, in workspace: Workspace) throws -> any ModelProvider {
        let links = try agent.model.chain.map { model in
            guard let configuration = workspace.configuration.providers[model.provider] else {
                throw CLIFailure.invalid("agent '\(agent.name)': unknown provider '\(model.provider)'")
            }
            do {
                return ModelChain.Link(
                    model: model, provider: try ProviderFactory.make(configuration),
                    pricing: configuration.pricing[model.name])
            } catch {
                throw CLIFailure.invalid("\(error)")
            }
        }
        return ModelChain(links: links)
    }
}
