/// Everything a run needs to go on: the transcript, the agent that answers now, what the run has spent, its tool
/// calls, and the reply whose calls are not all answered yet.
///
/// The loop commits a new state after each step (a model reply, a call starting, a call finishing, a run ending)
/// as ``RunEvent/committed(_:)``; a store that saves each one can continue the conversation later
/// (``AgentRunner/run(continuing:input:options:onEvent:)``) or resume a run a crash cut short
/// (``AgentRunner/resume(_:options:onEvent:)``). The JSON form is versioned (``currentVersion``); docs/sessions.md
/// describes it.
public struct RunState: Sendable, Hashable, Codable {
    /// The version of the stored form this build reads and writes.
    public static let currentVersion = 1

    /// Whether the last run of the conversation ended.
    public enum Status: String, Sendable, Hashable, Codable {
        /// A run is under way, or was cut short (the process died): ``AgentRunner/resume(_:options:onEvent:)``.
        case running
        /// The last run ended; the conversation can go on with a new message.
        case finished
    }

    /// What the runs before the current one spent, so a session shows its whole cost.
    public struct Totals: Sendable, Hashable, Codable {
        /// Runs finished before the current one.
        public var runs = 0
        /// Their model calls.
        public var turns = 0
        /// Their tokens and cost; `nil` when none reported usage.
        public var usage: Usage?

        /// No runs yet.
        public init() {}
    }

    /// The repeat breaker's memory: the last call's signature and how many times in a row it was made.
    public struct Repeats: Sendable, Hashable, Codable {
        /// Tool name and canonical arguments of the last call.
        public var signature: String?
        /// How many times in a row it was made.
        public var count = 0
        /// The tool whose call the last batch refused as one repeat too many; the run stops after that batch.
        public var tripped: String?

        /// Nothing seen yet.
        public init() {}
    }

    /// The version this state was written with.
    public var version = RunState.currentVersion
    /// The id of the current (or last) run.
    public var runID: String
    /// The agent the conversation's loop started with (the one its route reached); its limits hold for every run,
    /// across handoffs.
    public var entryAgent: String
    /// The agent that answers now: the one a route or a handoff reached.
    public var agent: String
    /// Whether a run is under way (or was cut short) or the last one ended.
    public var status: Status
    /// The whole conversation; every tool call is answered, except those in ``batch``.
    public var transcript: [ChatMessage]
    /// The last reply's calls while they run; `nil` once their results are in the transcript.
    public var batch: [PendingCall]?
    /// Model calls in the current run.
    public var turns = 0
    /// Tokens and cost of the current run; `nil` until a model call reports usage.
    public var usage: Usage?
    /// The current run's tool calls with their results.
    public var toolCalls: [ToolCallRecord] = []
    /// The repeat breaker, across the turns of the current run.
    public var repeats = Repeats()
    /// The model that produced the last reply (`provider/model`).
    public var model: String?
    /// The last text the model produced: the answer once the run ends.
    public var output = ""
    /// The cost of the last model call, the estimate for the next one (`limits.max_cost`).
    public var lastCost = 0.0
    /// The current run's route.
    public var route: RouteDecision?
    /// Why the last run ended; `nil` while one is under way.
    public var finishReason: RunFinishReason?
    /// Why the last run failed, when it did.
    public var error: RunError?
    /// What earlier runs of the conversation spent.
    public var totals = Totals()

    /// A state at the start of a run.
    public init(runID: String, entryAgent: String, agent: String, transcript: [ChatMessage]) {
        self.runID = runID
        self.entryAgent = entryAgent
        self.agent = agent
        self.status = .running
        self.transcript = transcript
    }

    /// Model calls over the whole conversation.
    public var allTurns: Int { totals.turns + turns }

    /// Tokens and cost over the whole conversation; `nil` when no model call reported usage.
    public var allUsage: Usage? {
        switch (totals.usage, usage) {
        case (nil, nil): nil
        case (let before, let now): (before ?? Usage()) + (now ?? Usage())
        }
    }

    /// The user messages of the conversation.
    public var userTurns: Int { transcript.count { $0.role == .user } }

    /// The run as a result, as ``AgentRunner`` returns it once the run ends.
    public var result: RunResult {
        RunResult(
            agent: agent, output: output, finishReason: finishReason ?? .cancelled, route: route, turns: turns,
            toolCalls: toolCalls, usage: usage, error: error, transcript: transcript, model: model)
    }

    private enum CodingKeys: String, CodingKey {
        case version
        case runID = "run_id"
        case entryAgent = "entry_agent"
        case agent, status, transcript, batch, turns, usage
        case toolCalls = "tool_calls"
        case repeats, model, output
        case lastCost = "last_cost"
        case route
        case finishReason = "finish_reason"
        case error, totals
    }

    /// Reads a stored state; one written by another version is refused with ``RunStateVersionError``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Self.currentVersion else {
            throw RunStateVersionError(found: version, supported: Self.currentVersion)
        }
        self.version = version
        runID = try container.decode(String.self, forKey: .runID)
        entryAgent = try container.decode(String.self, forKey: .entryAgent)
        agent = try container.decode(String.self, forKey: .agent)
        status = try container.decode(Status.self, forKey: .status)
        transcript = try container.decode([ChatMessage].self, forKey: .transcript)
        batch = try container.decodeIfPresent([PendingCall].self, forKey: .batch)
        turns = try container.decode(Int.self, forKey: .turns)
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        toolCalls = try container.decode([ToolCallRecord].self, forKey: .toolCalls)
        repeats = try container.decode(Repeats.self, forKey: .repeats)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        output = try container.decode(String.self, forKey: .output)
        lastCost = try container.decode(Double.self, forKey: .lastCost)
        route = try container.decodeIfPresent(RouteDecision.self, forKey: .route)
        finishReason = try container.decodeIfPresent(RunFinishReason.self, forKey: .finishReason)
        error = try container.decodeIfPresent(RunError.self, forKey: .error)
        totals = try container.decode(Totals.self, forKey: .totals)
    }
}

/// A stored ``RunState`` written by a version of Trellis this build does not read.
public struct RunStateVersionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The version in the stored state.
    public var found: Int
    /// The version this build reads.
    public var supported: Int

    /// Creates the error.
    public init(found: Int, supported: Int) {
        self.found = found
        self.supported = supported
    }

    /// One line naming both versions.
    public var description: String {
        found > supported
            ? "the run state has version \(found), newer than this trellis reads (\(supported)); upgrade trellis"
            : "the run state has version \(found), which this trellis (version \(supported)) no longer reads"
    }
}
