/// Why a run ended.
public enum RunFinishReason: String, Sendable, Hashable, Codable {
    /// The model gave a final answer.
    case stop
    /// The model's reply was cut off by its token limit.
    case length
    /// The provider's content filter withheld the reply.
    case contentFilter = "content_filter"
    /// `limits.max_turns` was reached.
    case maxTurns = "max_turns"
    /// `limits.max_tool_calls` was reached.
    case maxToolCalls = "max_tool_calls"
    /// `limits.max_tokens` was reached.
    case maxTokens = "max_tokens"
    /// `limits.max_cost` would have been exceeded by the next model call.
    case maxCost = "max_cost"
    /// `limits.timeout` passed.
    case timeout
    /// The same tool was called with the same arguments too many times in a row.
    case repeatedToolCall = "repeated_tool_call"
    /// The provider failed after its retries.
    case error
    /// The run was cancelled.
    case cancelled
    /// The run is parked: calls of its last reply wait for a decision (``ToolApprovalDecision/pending``). Its
    /// committed state stays `running`; ``AgentRunner/resume(_:from:options:onEvent:)`` goes on once they are
    /// decided.
    case waitingApproval = "waiting_approval"

    /// Whether the run ended with a final answer.
    public var isSuccess: Bool { self == .stop }
}

/// A tool call as it appears in a run's result.
public struct ToolCallRecord: Sendable, Hashable {
    /// The call's id.
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments, parsed when they were valid JSON, else the raw text as a string.
    public var arguments: JSONValue
    /// Whether the result was an error.
    public var isError: Bool
    /// The result's text.
    public var content: String

    /// Creates a record.
    public init(id: String, name: String, arguments: JSONValue, isError: Bool, content: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.isError = isError
        self.content = content
    }
}

/// Why a run failed, when it did.
public struct RunError: Sendable, Hashable {
    /// A stable code (`provider_http_error`, `max_turns`, ...).
    public var code: String
    /// One line for people.
    public var message: String

    /// Creates an error description.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// A classifier's decision about which agent handles the input.
public struct RouteDecision: Sendable, Hashable {
    /// The chosen label; `nil` when the run fell back.
    public var label: String?
    /// The agent the run went to.
    public var agent: String
    /// How sure the deciding classifier was, from 0 to 1 (on a fallback, the best confidence any classifier had).
    public var confidence: Double
    /// Which classifier decided (`llm`, `fewshot`, `embedding`, `keyword`); on a fallback, the last one tried.
    public var classifier: String
    /// The second-best label of the deciding classifier, when one scored.
    public var runnerUp: LabelScore?
    /// Every label's score from the deciding (or last) classifier, highest first.
    public var scores: [LabelScore]
    /// Why the run fell back (`keyword: 0.00 below 0.50; llm: tie between billing and tech`); `nil` when a
    /// classifier decided.
    public var fallbackReason: String?
    /// The time the classifiers took.
    public var latency: Duration
    /// Tokens and cost the classifiers spent (counted in the run's usage too).
    public var usage: Usage?

    /// Creates a decision.
    public init(
        label: String?, agent: String, confidence: Double, classifier: String, runnerUp: LabelScore? = nil,
        scores: [LabelScore] = [], fallbackReason: String? = nil, latency: Duration = .zero, usage: Usage? = nil
    ) {
        self.label = label
        self.agent = agent
        self.confidence = confidence
        self.classifier = classifier
        self.runnerUp = runnerUp
        self.scores = scores
        self.fallbackReason = fallbackReason
        self.latency = latency
        self.usage = usage
    }
}

/// Everything a run produced.
public struct RunResult: Sendable, Hashable {
    /// The agent that answered.
    public var agent: String
    /// The final answer, or the last text the model produced when the run stopped early.
    public var output: String
    /// Why the run ended.
    public var finishReason: RunFinishReason
    /// The routing decision, when the agent routes.
    public var route: RouteDecision?
    /// How many model calls were made.
    public var turns: Int
    /// Every tool call, in order, with its result.
    public var toolCalls: [ToolCallRecord]
    /// Tokens and cost summed over the model calls that reported usage; `nil` when none did (a provider that
    /// reports nothing is not a run that cost nothing).
    public var usage: Usage?
    /// Why the run failed, when it did not end with an answer.
    public var error: RunError?
    /// The whole transcript; every tool call is paired with exactly one result.
    public var transcript: [ChatMessage]
    /// The model that produced the last reply (`provider/model`): the agent's own, or a fallback.
    public var model: String?

    /// Creates a result.
    public init(
        agent: String, output: String, finishReason: RunFinishReason, route: RouteDecision? = nil, turns: Int,
        toolCalls: [ToolCallRecord], usage: Usage?, error: RunError?, transcript: [ChatMessage], model: String? = nil
    ) {
        self.agent = agent
        self.output = output
        self.finishReason = finishReason
        self.route = route
        self.turns = turns
        self.toolCalls = toolCalls
        self.usage = usage
        self.error = error
        self.transcript = transcript
        self.model = model
    }
}

extension ToolCallRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, name, arguments
        case isError = "is_error"
        case content
    }
}

extension RunError: Codable {}

extension RouteDecision: Codable {
    private enum CodingKeys: String, CodingKey {
        case label, agent, confidence, classifier
        case runnerUp = "runner_up"
        case scores
        case fallbackReason = "fallback_reason"
        case latency, usage
    }
}
