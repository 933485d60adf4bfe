/// Finds the agents a run may switch to, and builds what each one runs with.
///
/// A run starts with one agent, but a route hands it to another, so the runner cannot be given one provider and
/// one set of tools up front: it asks the resolver for each agent it reaches. The CLI and the server resolve from
/// a workspace; ``AgentRunner/init(provider:tools:logger:)`` uses a resolver that knows one agent's equipment.
public protocol AgentResolver: Sendable {
    /// The definition of the agent called `name`.
    ///
    /// - Throws: An error naming the agent when there is none by that name or its parameters cannot be resolved.
    func definition(named name: String) async throws -> AgentDefinition

    /// The router of an agent with `routes:`, or `nil` for an agent that answers itself.
    ///
    /// - Throws: A setup error (a classifier whose provider cannot be built) naming the agent.
    func router(for agent: AgentDefinition) async throws -> Router?

    /// What `agent` runs with: its model chain and its tools. Asked only for the agent that answers, so a router's
    /// own model is not needed when it hands every input on.
    ///
    /// - Throws: A setup error (an unknown provider, a tool that cannot be listed) naming the agent.
    func equipment(for agent: AgentDefinition) async throws -> AgentEquipment
}

/// What one agent runs with.
public struct AgentEquipment: Sendable {
    /// The model chain the agent talks to.
    public var provider: any ModelProvider
    /// The tools the model is offered.
    public var tools: [any ToolExecutor]

    /// Creates equipment.
    public init(provider: any ModelProvider, tools: [any ToolExecutor]) {
        self.provider = provider
        self.tools = tools
    }
}

/// A resolver that knows one agent's model and tools: the agent it is given runs with them and does not route,
/// since there are no other agents to resolve.
struct FixedEquipmentResolver: AgentResolver {
    let provider: any ModelProvider
    let tools: [any ToolExecutor]

    func definition(named name: String) async throws -> AgentDefinition {
        throw AgentResolutionError(agent: name, message: "this runner was given one agent's model and tools only")
    }

    func router(for agent: AgentDefinition) async throws -> Router? { nil }

    func equipment(for agent: AgentDefinition) async throws -> AgentEquipment {
        AgentEquipment(provider: provider, tools: tools)
    }
}

/// An agent that could not be resolved.
public struct AgentResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The agent's name.
    public var agent: String
    /// What went wrong.
    public var message: String
    /// The stable code a run's error gets (`model_not_installed`, `unknown_provider`, ...).
    public var code: String

    /// Creates an error.
    public init(agent: String, message: String, code: String = "agent_setup") {
        self.agent = agent
        self.message = message
        self.code = code
    }

    public var description: String { "agent '\(agent)': \(message)" }
}
