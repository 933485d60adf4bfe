import TrellisCore

/// One stored conversation, as `trellis sessions` lists it.
public struct SessionSummary: Sendable, Hashable {
    /// The session's name.
    public var name: String
    /// The agent it is run with (as named on the command line).
    public var agent: String
    /// The agent that answered last (after routes and handoffs).
    public var answering: String
    /// Model calls over all its runs.
    public var turns: Int
    /// Tokens and cost over all its runs; `nil` when no model call reported usage.
    public var usage: Usage?
    /// Messages in the transcript.
    public var messages: Int
    /// Whether its last run ended or was cut short.
    public var status: RunState.Status
    /// When it was created and last saved, in seconds since 1970.
    public var created: Double
    /// When it was last saved, in seconds since 1970.
    public var updated: Double

    /// Creates a summary.
    public init(
        name: String, agent: String, answering: String, turns: Int, usage: Usage?, messages: Int,
        status: RunState.Status, created: Double, updated: Double
    ) {
        self.name = name
        self.agent = agent
        self.answering = answering
        self.turns = turns
        self.usage = usage
        self.messages = messages
        self.status = status
        self.created = created
        self.updated = updated
    }
}

/// A stored conversation: its summary and its state.
public struct StoredSession: Sendable, Hashable {
    /// Name, agent, totals.
    public var summary: SessionSummary
    /// Everything needed to go on.
    public var state: RunState
}
