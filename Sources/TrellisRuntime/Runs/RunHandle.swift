import Synchronization

/// Why a run is stopped before it ends by itself.
enum RunStop: Sendable, Equatable {
    /// Its cancellation was asked for: it ends `cancelled`.
    case cancel
    /// The worker is stopping: the run is left resumable.
    case drain
    /// Another worker took the run over: nothing more is written.
    case leaseLost
}

/// A running run's stop switch.
final class RunHandle: Sendable {
    let agent: String
    /// When the worker claimed the run.
    let claimed: ContinuousClock.Instant
    private let state = Mutex<(stop: RunStop?, waiter: CheckedContinuation<Void, Never>?)>((nil, nil))

    init(agent: String, claimed: ContinuousClock.Instant = .now) {
        self.agent = agent
        self.claimed = claimed
    }

    var stop: RunStop? { state.withLock { $0.stop } }

    /// Stops the run; the first reason given wins.
    func stop(_ reason: RunStop) {
        let waiter = state.withLock { state in
            if state.stop == nil { state.stop = reason }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once ``stop(_:)`` is called or the task is cancelled.
    func stopped() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if state.stop != nil || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
