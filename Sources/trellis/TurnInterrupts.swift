import Synchronization

/// Ctrl-C in `trellis chat`: the first during a turn cancels that turn, a second one (or one outside a turn, as
/// when the input is not a terminal) ends the chat.
final class TurnInterrupts: Sendable {
    private struct State {
        var inTurn = false
        var interrupted = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// A signal arrived: `true` when it cancelled the current turn, `false` when the chat should end.
    func interrupt() -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>?? in
            guard state.inTurn, !state.interrupted else { return .none }
            state.interrupted = true
            defer { state.waiter = nil }
            return .some(state.waiter)
        }
        guard case .some(let continuation) = waiter else { return false }
        continuation?.resume()
        return true
    }

    /// Runs a turn, cancelled by the first interrupt; `body`'s result either way (a cancelled run still returns
    /// one, with every call answered).
    func turn<R: Sendable>(_ body: @escaping @Sendable () async -> R) async -> (result: R, interrupted: Bool) {
        state.withLock { $0 = State(inTurn: true) }
        defer { state.withLock { $0 = State() } }
        let result = await withTaskGroup(of: R?.self) { group in
            group.addTask { await body() }
            group.addTask {
                await self.waitForInterrupt()
                return nil
            }
            var result: R?
            while let next = await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                } else {
                    group.cancelAll()
                }
            }
            return result
        }
        guard let result else { preconditionFailure("the turn's task always returns") }
        return (result, state.withLock { $0.interrupted })
    }

    private func waitForInterrupt() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.interrupted || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                let waiter = state.waiter
                state.waiter = nil
                return waiter
            }?.resume()
        }
    }
}
