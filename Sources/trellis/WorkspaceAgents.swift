import Foundation
import Synchronization
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders
import TrellisRuntime

/// Resolves the agents of a loaded workspace for a run: each agent's model chain, its tools (built-ins, plugins,
/// MCP servers from one pool) and its router. What an agent runs with is built once per process and kept.
final class WorkspaceAgents: AgentResolver {
    let workspace: Workspace
    let options: WorkspaceOptions
    let pool: MCPServerPool
    let localHost: (any LocalModelHost)?
    private let built = Mutex<[String: AgentEquipment]>([:])
    private let routers = Mutex<[String: Router]>([:])

    init(workspace: Workspace, options: WorkspaceOptions, pool: MCPServerPool, localHost: (any LocalModelHost)?) {
        self.workspace = workspace
        self.options = options
        self.pool = pool
        self.localHost = localHost
    }

    func definition(named name: String) async throws -> AgentDefinition {
        do {
            return try workspace.agent(named: name).resolved()
        } catch {
            throw AgentResolutionError(agent: name, message: error.description)
        }
    }

    func equipment(for agent: AgentDefinition) async throws -> AgentEquipment {
        if let equipment = built.withLock({ $0[agent.name] }) { return equipment }
        do {
            return try await build(agent)
        } catch let failure as CLIFailure {
            throw AgentResolutionError(agent: agent.name, message: failure.message, code: failure.code.rawValue)
        }
    }

    func router(for agent: AgentDefinition) async throws -> Router? {
        if let router = routers.withLock({ $0[agent.name] }) { return router }
        do {
            return try makeRouter(for: agent)
        } catch let failure as CLIFailure {
            throw AgentResolutionError(agent: agent.name, message: failure.message, code: failure.code.rawValue)
        }
    }

    /// Builds what the run's first agent needs now, so a setup mistake fails the command (exit 2) before the run
    /// starts: its router when it routes (the agents it hands on to are built when reached), else its model and
    /// tools.
    func prepare(_ agent: AgentDefinition) async throws {
        if agent.routes != nil {
            _ = try makeRouter(for: agent)
        } else {
            _ = try await build(agent)
        }
    }

    private func build(_ agent: AgentDefinition) async throws -> AgentEquipment {
        let provider = try options.provider(for: agent, in: workspace, localHost: localHost)
        let file: AgentFile
        do {
            file = try workspace.agent(named: agent.name)
        } catch {
            throw CLIFailure.invalid(error.description, code: .unknownAgent)
        }
        let toolbox = AgentToolbox(
            workspace: workspace, registry: options.registry, environment: ProcessInfo.processInfo.environment,
            mcp: pool)
        let tools: [AgentToolbox.Entry]
        do {
            tools = try await toolbox.tools(for: file)
        } catch {
            throw CLIFailure.invalid("agent '\(agent.name)': \(error)")
        }
        let equipment = AgentEquipment(provider: provider, tools: tools.map(\.executor))
        built.withLock { $0[agent.name] = equipment }
        return equipment
    }

    /// The agent's router, when it routes; failures are ``CLIFailure``s.
    func makeRouter(for agent: AgentDefinition) throws -> Router? {
        let router = try agent.routes.map { table in
            try Router(table: table, classifiers: classifiers(for: table, of: agent), agent: agent.name)
        }
        if let router { routers.withLock { $0[agent.name] = router } }
        return router
    }

    /// One classifier per entry of the table's chain.
    func classifiers(for table: RouteTable, of agent: AgentDefinition) throws -> [any RouteClassifier] {
        try table.classifiers.map { spec in
            do {
                return try ClassifierFactory(workspace: workspace, options: options, localHost: localHost).make(
                    spec, routes: table.routes, agent: agent)
            } catch let error as CLIFailure {
                throw error
            } catch {
                throw CLIFailure.invalid("agent '\(agent.name)': routes.classifier \(spec.kind.rawValue): \(error)")
            }
        }
    }
}

extension WorkspaceOptions {
    /// Runs `body` with a resolver for the workspace's agents. Local model servers and MCP servers are started on
    /// first use and stopped when `body` ends, whether it returns, throws or is cancelled by a signal.
    func withAgents<R: Sendable>(in workspace: Workspace, _ body: (WorkspaceAgents) async throws -> R)
        async throws -> R
    {
        try await LocalModelServers.withServers { servers in
            try await MCPServerPool.withPool(workspace.resolvedMCPServers) { pool in
                try await body(WorkspaceAgents(workspace: workspace, options: self, pool: pool, localHost: servers))
            }
        }
    }
}
