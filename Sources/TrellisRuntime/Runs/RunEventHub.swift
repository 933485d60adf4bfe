import Synchronization
import TrellisCore

/// Tells the followers of a run (SSE streams, a waiting chat completion) about its events as soon as they are
/// stored, in this process.
///
/// It keeps the last few events of each run it has seen, so a follower that asks for the events after the one it
/// last saw gets them straight away, without reading the store; one that fell further behind is told to read the
/// store (``Wake/behind``).
public final class RunEventHub: Sendable {
    /// What a follower wakes up to.
    public enum Wake: Sendable, Hashable {
        /// The events after the follower's last one, in order.
        case events([RunEventRecord])
        /// Events were stored that the hub no longer keeps: read them from the store.
        case behind
        /// Nothing happened before the timeout.
        case timeout
    }

    private struct Follower {
        var after: Int
        var continuation: CheckedContinuation<Wake, Never>
    }

    private struct Run {
        var recent: [RunEventRecord] = []
        var followers: [Int: Follower] = [:]
    }

    private struct State {
        var runs: [String: Run] = [:]
        var nextFollower = 0
    }

    private let state = Mutex(State())
    /// How many events per run are kept for followers.
    private let keep = 64

    /// An empty hub.
    public init() {}

    /// Hands stored events of a run to its followers. Events are given in sequence order; a run's last event
    /// (`run.finished`) lets the hub forget the run.
    public func publish(_ runID: String, _ events: [RunEventRecord]) {
        guard let last = events.last else { return }
        let woken: [(CheckedContinuation<Wake, Never>, Wake)] = state.withLock { state in
            var run = state.runs[runID] ?? Run()
            run.recent += events
            if run.recent.count > keep { run.recent.removeFirst(run.recent.count - keep) }
            let woken = run.followers.values.map { follower in
                (follower.continuation, Self.wake(after: follower.after, recent: run.recent))
            }
            run.followers = [:]
            state.runs[runID] = last.type == "run.finished" ? nil : run
            return woken
        }
        for (continuation, wake) in woken { continuation.resume(returning: wake) }
    }

    /// Tells the followers of a run that its events up to `last` were stored elsewhere (another process): those
    /// that have not seen them read the store (``Wake/behind``).
    public func poke(_ runID: String, last: Int) {
        let woken: [CheckedContinuation<Wake, Never>] = state.withLock { state in
            guard var run = state.runs[runID] else { return [] }
            if let newest = run.recent.last, newest.sequence >= last { return [] }
            let behind = run.followers.filter { $0.value.after < last }
            for id in behind.keys { run.followers[id] = nil }
            state.runs[runID] = run
            return behind.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume(returning: .behind) }
    }

    /// Waits for the events of a run after sequence number `after`.
    public func next(_ runID: String, after: Int, timeout: Duration) async -> Wake {
        let id = state.withLock { state in
            defer { state.nextFollower += 1 }
            return state.nextFollower
        }
        return await withTaskGroup(of: Wake?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready: Wake? = self.state.withLock { state in
                            var run = state.runs[runID] ?? Run()
                            if let newest = run.recent.last, newest.sequence > after {
                                return Self.wake(after: after, recent: run.recent)
                            }
                            if Task.isCancelled { return .timeout }
                            run.followers[id] = Follower(after: after, continuation: continuation)
                            state.runs[runID] = run
                            return nil
                        }
                        if let ready { continuation.resume(returning: ready) }
                    }
                } onCancel: {
                    let continuation = self.state.withLock { state in
                        defer {
                            // A run only followed here (run by another process) is forgotten with its last follower.
                            if let run = state.runs[runID], run.followers.isEmpty, run.recent.isEmpty {
                                state.runs[runID] = nil
                            }
                        }
                        return state.runs[runID]?.followers.removeValue(forKey: id)?.continuation
                    }
                    continuation?.resume(returning: .timeout)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .timeout
        }
    }

    private static func wake(after: Int, recent: [RunEventRecord]) -> Wake {
        guard let first = recent.first, first.sequence <= after + 1 else { return .behind }
        return .events(recent.filter { $0.sequence > after })
    }
}
