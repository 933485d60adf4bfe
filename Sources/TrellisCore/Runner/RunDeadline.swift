import Synchronization

/// A run's `limits.timeout`, as the task running the loop sees it: when the deadline passes, the loop is cancelled
/// and ends its run as `timeout`, not `cancelled`, in its result and in the state it commits last.
final class RunDeadline: Sendable {
    /// The deadline of the run this task belongs to, if it has one.
    @TaskLocal static var current: RunDeadline?

    let timeout: Duration
    private let passed = Mutex(false)

    init(_ timeout: Duration) { self.timeout = timeout }

    /// Whether the deadline has passed.
    var hasPassed: Bool { passed.withLock { $0 } }

    /// Marks the deadline passed; done before the loop is cancelled.
    func pass() { passed.withLock { $0 = true } }

    /// What a run that was cancelled because of this deadline ended with.
    var error: RunError { RunError(code: "timeout", message: "the run exceeded limits.timeout (\(timeout.seconds)s)") }
}
