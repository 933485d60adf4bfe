/// An agent: which model it talks to, what it is told, which tools it may use, and its limits.
///
/// `TrellisConfig` builds these from `agents/*.yaml`; code may build them directly.
public struct AgentDefinition: Sendable, Hashable {
    /// The agent's name, unique in its workspace.
    public var name: String
    /// One line about what the agent does.
    public var description: String?
    /// The model it talks to.
    public var model: ModelReference
    /// The system prompt.
    public var system: String?
    /// The tools it may use, by reference.
    public var tools: [ToolReference]
    /// The tool choice of each turn (YAML `tool_choice`): turn *n* uses entry *n*, and the last entry holds for
    /// every later turn. A single forced choice (`required`, `{function: NAME}`) applies to the first turn only,
    /// later turns use `auto`. Empty leaves the choice to the provider. See ``toolChoice(forTurn:)``.
    public var toolChoices: [ToolChoice]
    /// Tools whose successful result ends the run as its answer (YAML `stop_at_tools`): no further model call is
    /// made. For small models that call a tool well but cannot yet read its result back.
    public var stopAtTools: [String]
    /// Whether the model may ask for several tool calls at once, run concurrently.
    public var parallelToolCalls: Bool
    /// When the run stops.
    public var limits: RunLimits
    /// Which tool calls need a person's approval, and which are refused.
    public var approval: ToolApprovalPolicy
    /// How the input is routed to another agent before the loop, when the agent routes (`routes:`).
    public var routes: RouteTable?
    /// Agents the model may hand the conversation to (`handoffs:`), each offered as a `transfer_to_<agent>` tool.
    public var handoffs: [String]
    /// Agents the model may call as tools (`tools: [{agent: NAME}]`): each runs on the input the model gives, and
    /// its answer is the tool's result.
    public var agentTools: [String]

    /// Creates an agent definition.
    public init(
        name: String,
        description: String? = nil,
        model: ModelReference,
        system: String? = nil,
        tools: [ToolReference] = [],
        toolChoices: [ToolChoice] = [],
        stopAtTools: [String] = [],
        parallelToolCalls: Bool = true,
        limits: RunLimits = RunLimits(),
        approval: ToolApprovalPolicy = ToolApprovalPolicy(),
        routes: RouteTable? = nil,
        handoffs: [String] = [],
        agentTools: [String] = []
    ) {
        self.name = name
        self.description = description
        self.model = model
        self.system = system
        self.tools = tools
        self.toolChoices = toolChoices
        self.stopAtTools = stopAtTools
        self.parallelToolCalls = parallelToolCalls
        self.limits = limits
        self.approval = approval
        self.routes = routes
        self.handoffs = handoffs
        self.agentTools = agentTools
    }
}

extension AgentDefinition {
    /// The tool choice sent on a turn (1-based), or `nil` to leave it to the provider.
    public func toolChoice(forTurn turn: Int) -> ToolChoice? {
        guard let last = toolChoices.last else { return nil }
        if toolChoices.count == 1 { return turn > 1 && last.isForced ? .auto : last }
        return toolChoices[min(max(turn, 1), toolChoices.count) - 1]
    }
}

/// A model on a named provider, with its generation options.
public struct ModelReference: Sendable, Hashable, CustomStringConvertible {
    /// The provider's name in the workspace (`openai`, `local`, ...).
    public var provider: String
    /// The provider's model id (`gpt-4o-mini`, `Qwen/Qwen2.5-72B-Instruct`).
    public var name: String
    /// Sampling and output settings.
    public var options: GenerationOptions
    /// Models tried in order when this one fails after its retries (see ``ModelChain``).
    public var fallback: [ModelReference]

    /// Creates a model reference.
    public init(
        provider: String, name: String, options: GenerationOptions = GenerationOptions(),
        fallback: [ModelReference] = []
    ) {
        self.provider = provider
        self.name = name
        self.options = options
        self.fallback = fallback
    }

    /// The reference a `provider/model-id` shorthand names (`openai/gpt-4o-mini`; the id may hold further
    /// slashes), with default options and no fallbacks.
    ///
    /// A path to a `.gguf` file is a model of the built-in `local` provider.
    ///
    /// - Parameter shorthand: The text; `nil` when it has no `/`, or nothing before or after the first one.
    public init?(shorthand: String) {
        // A GGUF file is a model of the built-in `local` provider: `model: models/tiny.gguf`.
        if shorthand.lowercased().hasSuffix(".gguf"), !shorthand.hasPrefix("local/") {
            self.init(provider: "local", name: shorthand)
            return
        }
        guard let slash = shorthand.firstIndex(of: "/"), slash != shorthand.startIndex,
            shorthand.index(after: slash) != shorthand.endIndex
        else { return nil }
        self.init(
            provider: String(shorthand[..<slash]), name: String(shorthand[shorthand.index(after: slash)...]))
    }

    /// This model followed by its fallbacks (and theirs), in the order they are tried.
    public var chain: [ModelReference] {
        var first = self
        first.fallback = []
        return [first] + fallback.flatMap(\.chain)
    }

    /// `provider/name`.
    public var description: String { "\(provider)/\(name)" }
}

/// A tool, or a set of tools, an agent refers to: `clock`, `{plugin: units}`, `{mcp: time, allow: [...]}`.
public struct ToolReference: Sendable, Hashable, CustomStringConvertible {
    /// Where tools come from.
    public enum Source: String, Sendable, Hashable {
        /// Compiled into the runtime or registered from Swift code.
        case builtin
        /// An executable plugin, `plugins/NAME/plugin.yaml`.
        case plugin
        /// An MCP server declared under `mcp_servers:` in `trellis.yaml`.
        case mcp
    }

    /// The built-in tool's name, the plugin's name, or the MCP server's name.
    public var name: String
    /// Where it comes from.
    public var source: Source
    /// For plugins and MCP servers, the tools the agent may use; `nil` means all of them.
    public var allow: [String]?

    /// Creates a reference.
    public init(name: String, source: Source = .builtin, allow: [String]? = nil) {
        self.name = name
        self.source = source
        self.allow = allow
    }

    /// As written in YAML: `clock`, `{plugin: units}`, `{mcp: time}`.
    public var description: String { source == .builtin ? name : "{\(source.rawValue): \(name)}" }
}

/// When a run stops, besides a final answer.
public struct RunLimits: Sendable, Hashable {
    /// Most model calls in one run.
    public var maxTurns: Int
    /// Most tool calls in one run.
    public var maxToolCalls: Int?
    /// Most tokens (input plus output, summed over turns) in one run.
    public var maxTokens: Int?
    /// Wall-clock time for the whole run.
    public var timeout: Duration?
    /// How many times in a row the same tool may be called with the same arguments before the run is stopped.
    public var maxRepeatedCalls: Int
    /// Most money the run may spend, in the providers' billing currency; a model call that would exceed it is not
    /// made.
    public var maxCost: Double?
    /// Most tool calls run from one model reply; the calls past it get an error result and do not run, so a reply
    /// asking for hundreds of calls cannot start hundreds of plugin processes at once.
    public var maxToolCallsPerTurn: Int

    /// Creates limits; by default 10 turns, 3 identical calls in a row, 64 tool calls per reply, and nothing else.
    public init(
        maxTurns: Int = 10,
        maxToolCalls: Int? = nil,
        maxTokens: Int? = nil,
        timeout: Duration? = nil,
        maxRepeatedCalls: Int = 3,
        maxCost: Double? = nil,
        maxToolCallsPerTurn: Int = 64
    ) {
        self.maxTurns = maxTurns
        self.maxToolCalls = maxToolCalls
        self.maxTokens = maxTokens
        self.timeout = timeout
        self.maxRepeatedCalls = maxRepeatedCalls
        self.maxCost = maxCost
        self.maxToolCallsPerTurn = maxToolCallsPerTurn
    }
}
