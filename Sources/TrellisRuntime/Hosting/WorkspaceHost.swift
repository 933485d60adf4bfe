import AsyncHTTPClient
import Foundation
import Synchronization
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// A loaded workspace turned into running agents, for the command line and the server alike.
///
/// It resolves each agent a run reaches (``AgentResolver``): the agent's model chain, its tools (built-ins,
/// plugins, MCP servers' tools) and its router. What an agent runs with is built once and kept, so every run
/// of a process shares one HTTP client, one MCP server pool, the local model servers and each plugin's
/// `--describe` answer.
///
/// ```swift
/// try await WorkspaceHost.withHost(workspace) { host in
///     let agent = try await host.definition(named: "assistant")
///     try await host.prepare(agent)
///     let result = await AgentRunner(resolver: host).run(agent, input: "What is 17 * 23?")
/// }
/// ```
public final class WorkspaceHost: AgentResolver {
    /// The workspace.
    public let workspace: Workspace
    /// The built-in and registered tools.
    public let registry: ToolRegistry
    /// The process environment; plugins and MCP servers get only their allow-lists of it.
    public let environment: [String: String]
    /// The client every provider's requests go through.
    public let client: HTTPClient
    /// The workspace's MCP servers, shared by every run.
    public let pool: MCPServerPool
    /// Starts the servers of `local` models.
    public let localHost: (any LocalModelHost)?
    /// Plugins' tools, read once.
    public let descriptions = PluginDescriptions()
    private let built = Mutex<[String: AgentEquipment]>([:])
    private let routers = Mutex<[String: Router]>([:])

    /// Creates a host over running parts; ``withHost(_:registry:environment:client:_:)`` starts and stops them.
    public init(
        workspace: Workspace, registry: ToolRegistry = BuiltinTools.registry,
        environment: [String: String] = ProcessInfo.processInfo.environment, client: HTTPClient = .trellis,
        pool: MCPServerPool, localHost: (any LocalModelHost)?
    ) {
        self.workspace = workspace
        self.registry = registry
        self.environment = environment
        self.client = client
        self.pool = pool
        self.localHost = localHost
    }

    /// Runs `body` with a host of the workspace. Local model servers and MCP servers start on first use and stop
    /// when `body` ends, whether it returns, throws or is cancelled.
    public static func withHost<R: Sendable>(
        _ workspace: Workspace, registry: ToolRegistry = BuiltinTools.registry,
        environment: [String: String] = ProcessInfo.processInfo.environment, client: HTTPClient = .trellis,
        _ body: (WorkspaceHost) async throws -> R
    ) async throws -> R {
        try await LocalModelServers.withServers(client: client) { servers in
            try await MCPServerPool.withPool(workspace.resolvedMCPServers, environment: environment) { pool in
                try await body(
                    WorkspaceHost(
                        workspace: workspace, registry: registry, environment: environment, client: client,
                        pool: pool, localHost: servers))
            }
        }
    }

    /// The workspace folder as an absolute path without `.` or `..` (tools are told the workspace this way).
    public var root: String { URL(fileURLWithPath: workspace.root).standardizedFileURL.path }

    public func definition(named name: String) async throws -> AgentDefinition {
        do {
            return try workspace.agent(named: name).resolved()
        } catch {
            throw AgentResolutionError(agent: name, message: error.description, code: "unknown_agent")
        }
    }

    /// The agent with its parameters set (`params:` in its file).
    ///
    /// - Throws: ``WorkspaceSetupError`` for an unknown agent (`unknown_agent`) or a missing or unknown parameter.
    public func definition(named name: String, params: [String: String]) throws(WorkspaceSetupError) -> AgentDefinition
    {
        let file: AgentFile
        do {
            file = try workspace.agent(named: name)
        } catch {
            throw WorkspaceSetupError(error.description, code: .unknownAgent)
        }
        do {
            return try file.resolved(params: params)
        } catch {
            throw WorkspaceSetupError(error.description)
        }
    }

    public func equipment(for agent: AgentDefinition) async throws -> AgentEquipment {
        if let equipment = built.withLock({ $0[agent.name] }) { return equipment }
        do {
            return try await build(agent)
        } catch {
            throw AgentResolutionError(agent: agent.name, message: error.message, code: error.code.rawValue)
        }
    }

    public func router(for agent: AgentDefinition) async throws -> Router? {
        if let router = routers.withLock({ $0[agent.name] }) { return router }
        do {
            return try makeRouter(for: agent)
        } catch {
            throw AgentResolutionError(agent: agent.name, message: error.message, code: error.code.rawValue)
        }
    }

    /// Builds what a run's first agent needs now, so a setup mistake is reported before the run starts: its
    /// router when it routes (the agents it hands on to are built when reached), else its model and tools.
    ///
    /// What it builds replaces what the host kept for an agent of that name, so a definition with another model
    /// (`--model`, `/model`) takes effect.
    public func prepare(_ agent: AgentDefinition) async throws(WorkspaceSetupError) {
        if agent.routes != nil {
            _ = try makeRouter(for: agent)
        } else {
            _ = try await build(agent)
        }
    }

    /// The agent's tools, each with where it comes from.
    public func tools(for file: AgentFile) async throws(WorkspaceSetupError) -> [AgentToolbox.Entry] {
        do {
            return try await toolbox.tools(for: file)
        } catch {
            throw WorkspaceSetupError("agent '\(file.definition.name)': \(error)")
        }
    }

    /// A toolbox over the host's pool and plugin cache.
    public var toolbox: AgentToolbox {
        AgentToolbox(
            workspace: workspace, registry: registry, environment: environment, mcp: pool, descriptions: descriptions)
    }

    private func build(_ agent: AgentDefinition) async throws(WorkspaceSetupError) -> AgentEquipment {
        let provider = try chain(for: agent)
        let file: AgentFile
        do {
            file = try workspace.agent(named: agent.name)
        } catch {
            throw WorkspaceSetupError(error.description, code: .unknownAgent)
        }
        let tools = try await tools(for: file)
        let equipment = AgentEquipment(provider: provider, tools: tools.map(\.executor))
        built.withLock { $0[agent.name] = equipment }
        return equipment
    }

    /// The agent's model and fallbacks as a ``ModelChain``, priced from each provider's `pricing:` table; it
    /// offers its adapters' embeddings and classification too.
    public func chain(for agent: AgentDefinition) throws(WorkspaceSetupError) -> ModelChain {
        try Self.chain(for: agent, in: workspace, client: client, localHost: localHost)
    }

    /// The agent's model chain, built without a host. A `local` model that is not installed is reported here,
    /// with the command that installs it.
    public static func chain(
        for agent: AgentDefinition, in workspace: Workspace, client: HTTPClient = .trellis,
        localHost: (any LocalModelHost)?
    ) throws(WorkspaceSetupError) -> ModelChain {
        let context = ProviderFactory.Context(
            workspace: URL(fileURLWithPath: workspace.root).standardizedFileURL.path, localHost: localHost)
        var links: [ModelChain.Link] = []
        for model in agent.model.chain {
            guard let configuration = workspace.configuration.providers[model.provider] else {
                throw WorkspaceSetupError(
                    "agent '\(agent.name)': unknown provider '\(model.provider)'", code: .unknownProvider)
            }
            do {
                links.append(
                    ModelChain.Link(
                        model: model,
                        provider: try ProviderFactory.make(
                            configuration, model: model.name, client: client, context: context),
                        pricing: configuration.pricing[model.name]))
            } catch let error as ProviderFactory.SetupError {
                throw WorkspaceSetupError("\(error)", code: error.setupCode)
            } catch {
                throw WorkspaceSetupError("\(error)")
            }
        }
        return ModelChain(links: links)
    }

    /// The agent's router, when it routes.
    public func makeRouter(for agent: AgentDefinition) throws(WorkspaceSetupError) -> Router? {
        guard let table = agent.routes else { return nil }
        let router = Router(table: table, classifiers: try classifiers(for: table, of: agent), agent: agent.name)
        routers.withLock { $0[agent.name] = router }
        return router
    }

    /// One classifier per entry of the table's chain.
    public func classifiers(for table: RouteTable, of agent: AgentDefinition) throws(WorkspaceSetupError)
        -> [any RouteClassifier]
    {
        var classifiers: [any RouteClassifier] = []
        for spec in table.classifiers {
            do {
                classifiers.append(try ClassifierFactory(host: self).make(spec, routes: table.routes, agent: agent))
            } catch let error as WorkspaceSetupError {
                throw error
            } catch {
                throw WorkspaceSetupError("agent '\(agent.name)': routes.classifier \(spec.kind.rawValue): \(error)")
            }
        }
        return classifiers
    }
}

extension ProviderFactory.SetupError {
    /// The setup code of a provider that cannot be built.
    var setupCode: WorkspaceSetupError.Code {
        switch code {
        case "missing_api_key": .missingAPIKey
        case "model_not_installed": .modelNotInstalled
        default: .invalidDefinition
        }
    }
}
