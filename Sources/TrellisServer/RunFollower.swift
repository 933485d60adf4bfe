import ServiceLifecycle
import TrellisCore
import TrellisRuntime

/// Follows a run's events: those stored after a sequence number, then each new one as it is stored, until the
/// run's `run.finished`.
///
/// New events come from the hub in this process; the store is read again when the hub has lost track, and once a
/// second otherwise, so events written by another process are seen too.
struct RunFollower: Sendable {
    let store: any RunStore
    let hub: RunEventHub
    /// How long the follower waits with nothing to show before ``follow(_:after:endingAt:idle:_:)`` calls `idle`.
    var keepAlive: Duration = .seconds(15)
    /// How often the store is read when nothing arrives through the hub.
    var poll: Duration = .seconds(1)

    /// Calls `body` with each event after `sequence`; returns after `run.finished` (or another event `ends` says
    /// ends the stream), at once when the run ended before `sequence`, and when the server shuts down.
    ///
    /// - Parameter idle: Called after ``keepAlive`` without events (an SSE stream writes a comment, and learns that
    ///   way that its client is gone).
    func follow(
        _ runID: String, after sequence: Int, endingAt ends: Set<String> = ["run.finished"],
        idle: () async throws -> Void = {}, _ body: (RunEventRecord) async throws -> Void
    ) async throws {
        var last = sequence
        var quiet = ContinuousClock.now
        func deliver(_ events: [RunEventRecord]) async throws -> Bool {
            for event in events where event.sequence > last {
                try await body(event)
                last = event.sequence
                quiet = .now
                if ends.contains(event.type) { return true }
            }
            return false
        }
        while true {
            try Task.checkCancellation()
            let stored = try await store.events(of: runID, after: last, limit: 500)
            if try await deliver(stored) { return }
            if stored.count == 500 { continue }
            if stored.isEmpty, let run = try await store.run(runID), run.status.isFinal, run.lastSequence <= last {
                return
            }
            waiting: while true {
                switch await hub.next(runID, after: last, timeout: poll) {
                case .events(let events):
                    if try await deliver(events) { return }
                case .behind:
                    break waiting
                case .timeout:
                    try Task.checkCancellation()
                    // The server is stopping: the stream ends, and the client reconnects with Last-Event-ID.
                    if Task.isShuttingDownGracefully { return }
                    if ContinuousClock.now - quiet >= keepAlive {
                        try await idle()
                        quiet = .now
                    }
                    break waiting
                }
            }
        }
    }
}
