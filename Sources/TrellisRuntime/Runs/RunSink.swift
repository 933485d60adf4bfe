import Logging
import Synchronization
import TrellisCore

/// Where one claimed run's events go: numbered, written to the store (each committed state as its checkpoint),
/// then handed to the hub's followers, in order.
///
/// Once the run is stopped for a reason other than cancellation (the worker drains, its lease was lost), nothing
/// more is written: the run resumes from the last checkpoint.
final class RunSink: Sendable {
    private struct State {
        var sequence: Int
        var lastState: RunState?
        var turnStarted: ContinuousClock.Instant?
    }

    let claim: RunClaim
    let store: any RunStore
    let hub: RunEventHub
    let handle: RunHandle
    let metrics: (any RunMetrics)?
    let logger: Logger
    private let state: Mutex<State>

    init(
        claim: RunClaim, store: any RunStore, hub: RunEventHub, handle: RunHandle,
        metrics: (any RunMetrics)?, logger: Logger
    ) {
        self.claim = claim
        self.store = store
        self.hub = hub
        self.handle = handle
        self.metrics = metrics
        self.logger = logger
        state = Mutex(State(sequence: claim.run.lastSequence, lastState: claim.run.state))
    }

    /// The last state the run committed.
    var lastState: RunState? { state.withLock { $0.lastState } }

    /// Whether writes go on.
    private var writing: Bool { handle.stop == nil || handle.stop == .cancel }

    /// Records one event of the loop.
    func handle(_ event: RunEvent) async {
        guard writing else { return }
        observe(event)
        if case .committed(let committed) = event {
            state.withLock { $0.lastState = committed }
            await write([], state: committed)
            return
        }
        guard let wire = event.wire else { return }
        await emit(wire.type, wire.data)
    }

    /// Records an event of the worker's own (`run.started`).
    func emit(_ type: String, _ data: JSONValue) async {
        await write([(type, data)], state: nil)
    }

    /// Ends the run in the store with its last events.
    func finish(status: RunStatus, result: JSONValue, events: [(String, JSONValue)]) async {
        let records = number(events)
        do {
            try await store.finish(claim, status: status, result: result, state: lastState, events: records)
            hub.publish(claim.runID, records)
        } catch {
            logger.error("run \(claim.runID) could not be ended in the store: \(error)")
        }
    }

    private func write(_ events: [(String, JSONValue)], state committed: RunState?) async {
        let records = number(events)
        do {
            try await store.record(claim, events: records, state: committed)
            hub.publish(claim.runID, records)
        } catch RunStoreError.leaseLost {
            logger.warning("run \(claim.runID): another worker took it over; this one stops")
            handle.stop(.leaseLost)
        } catch {
            // A step that is not stored cannot be resumed from; stop rather than go on without a checkpoint.
            logger.error("run \(claim.runID): a step could not be stored (\(error)); the run stops, resumable")
            handle.stop(.drain)
        }
    }

    private func number(_ events: [(String, JSONValue)]) -> [RunEventRecord] {
        state.withLock { state in
            events.map { event in
                state.sequence += 1
                return RunEventRecord(sequence: state.sequence, type: event.0, data: event.1)
            }
        }
    }

    private func observe(_ event: RunEvent) {
        guard let metrics else { return }
        switch event {
        case .turnStarted:
            state.withLock { $0.turnStarted = .now }
        case .committed:
            if let started = state.withLock({ state in
                defer { state.turnStarted = nil }
                return state.turnStarted
            }) {
                metrics.modelCall(agent: claim.run.agent, duration: .now - started)
            }
        case .toolResult(let call, let output, let duration):
            metrics.toolCall(tool: call.name, outcome: output.isError ? "error" : "ok", duration: duration)
        default:
            break
        }
    }
}
