import Synchronization

/// Groups the writes that arrive while one is being committed, so a thousand runs recording steps cost far fewer
/// transactions than steps.
///
/// The first caller of ``write(_:apply:)`` becomes the flusher: it hands every waiting step to `apply` in one
/// group, again and again, until none is left; the callers whose steps went in a group get that step's outcome.
/// Both run stores use it.
package final class GroupCommit<Step: Sendable>: Sendable {
    private struct State {
        var steps: [(ticket: Int, step: Step)] = []
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        /// Outcomes of steps whose caller has not started waiting yet.
        var outcomes: [Int: Result<Void, any Error>] = [:]
        var nextTicket = 0
        var flushing = false
    }

    private let state = Mutex(State())

    /// A committer with nothing waiting.
    package init() {}

    /// Adds `step` to the next group and returns once that group is written.
    ///
    /// - Parameter apply: Writes a group of steps in one transaction; one outcome per step, in order.
    package func write(
        _ step: Step, isolation: isolated (any Actor)? = #isolation,
        apply: ([Step]) async -> [Result<Void, any Error>]
    ) async throws {
        let (ticket, flusher) = state.withLock { state in
            defer { state.nextTicket += 1 }
            state.steps.append((state.nextTicket, step))
            let flusher = !state.flushing
            state.flushing = true
            return (state.nextTicket, flusher)
        }
        guard flusher else {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLock { state in
                    guard let outcome = state.outcomes.removeValue(forKey: ticket) else {
                        state.waiters[ticket] = continuation
                        return Result<Void, any Error>?.none
                    }
                    return outcome
                }
                if let ready { continuation.resume(with: ready) }
            }
            return
        }
        var mine: Result<Void, any Error> = .success(())
        while true {
            let group = state.withLock { state in
                defer { state.steps = [] }
                if state.steps.isEmpty { state.flushing = false }
                return state.steps
            }
            if group.isEmpty { break }
            let outcomes = await apply(group.map(\.step))
            var woken: [(CheckedContinuation<Void, any Error>, Result<Void, any Error>)] = []
            state.withLock { state in
                for (entry, outcome) in zip(group, outcomes) {
                    if entry.ticket == ticket {
                        mine = outcome
                    } else if let waiter = state.waiters.removeValue(forKey: entry.ticket) {
                        woken.append((waiter, outcome))
                    } else {
                        state.outcomes[entry.ticket] = outcome
                    }
                }
            }
            for (waiter, outcome) in woken { waiter.resume(with: outcome) }
        }
        try mine.get()
    }
}
