/// One call of the reply being answered, and how far it got.
///
/// A call is checked (tool known, arguments valid, limits, approval) before anything runs; one refused is `done`
/// at once. On resume a `ready` call runs, an `approval` call is asked again, and a `running` call, whose outcome
/// is unknown, runs again only when its tool is idempotent; otherwise it is answered with an error that says so.
public struct PendingCall: Sendable, Hashable, Codable {
    /// How far a call got.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Checked; waits for the user's approval (`approval: ask`).
        case approval
        /// Checked and approved; not started.
        case ready
        /// Started; no result yet.
        case running
        /// Answered: ``PendingCall/output`` holds the result.
        case done
    }

    /// The call.
    public var call: ToolCall
    /// How far it got.
    public var phase: Phase
    /// The result, once `done`.
    public var output: ToolOutput?
    /// How long the tool ran, in seconds; `nil` for a call that did not run.
    public var seconds: Double?

    /// Creates a pending call.
    public init(call: ToolCall, phase: Phase, output: ToolOutput? = nil, seconds: Double? = nil) {
        self.call = call
        self.phase = phase
        self.output = output
        self.seconds = seconds
    }
}
