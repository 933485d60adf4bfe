import TrellisCore

/// What a worker reports as its runs go, for a metrics exporter (the server's `/metrics`).
public protocol RunMetrics: Sendable {
    /// A model call of `agent` answered after `duration` (or failed).
    func modelCall(agent: String, duration: Duration)
    /// A tool call ended: `outcome` is `ok` or `error`; `duration` is `nil` for a call that did not run.
    func toolCall(tool: String, outcome: String, duration: Duration?)
    /// A run ended, or parked, with this status.
    func runEnded(status: RunStatus)
}
