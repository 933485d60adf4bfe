/// Which tool calls an agent may make without asking: `approval: {default: allow, tools: {shell: ask}}`.
public struct ToolApprovalPolicy: Sendable, Hashable {
    /// What happens to one tool's calls.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        /// Calls run.
        case allow
        /// Calls are refused; the model gets an error result saying so.
        case deny
        /// A person is asked before each call; with nobody to ask (no terminal, a worker) the call is refused.
        case ask
    }

    /// The rule for tools that ``tools`` does not name.
    public var defaultRule: Rule
    /// Rules per tool name.
    public var tools: [String: Rule]

    /// Creates a policy; by default every call is allowed.
    public init(defaultRule: Rule = .allow, tools: [String: Rule] = [:]) {
        self.defaultRule = defaultRule
        self.tools = tools
    }

    /// The rule that applies to a tool.
    public func rule(for tool: String) -> Rule { tools[tool] ?? defaultRule }
}

/// What an approver says about one call.
public enum ToolApprovalDecision: String, Sendable, Hashable, Codable {
    /// The call runs.
    case approve
    /// The call is refused; the model gets an error result saying the user declined it.
    case deny
    /// Nobody has decided yet: the run parks with the call pending (``RunFinishReason/waitingApproval``), and a
    /// later ``AgentRunner/resume(_:from:options:onEvent:)`` asks again.
    case pending
}

/// Decides `ask` calls: a terminal prompt in the CLI, the approvals API in a server.
///
/// Calls are asked about one at a time, in call order, before any of a reply's calls run. When any answer is
/// ``ToolApprovalDecision/pending``, none of the reply's calls run: the run parks, its state committed.
public protocol ToolApprover: Sendable {
    /// Whether this call may run.
    ///
    /// - Parameters:
    ///   - call: The call, with its arguments as the model wrote them (already valid for the tool's schema).
    ///   - agent: The agent making it.
    func decide(_ call: ToolCall, agent: String) async -> ToolApprovalDecision
}
