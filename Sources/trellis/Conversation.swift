import Synchronization
import TrellisCore
import TrellisRuntime

/// A session's conversation: each message goes on from the stored state, and every step the loop commits is
/// saved before the loop goes on, so a killed process loses nothing but the step in flight.
///
/// Used by `trellis run --session`, `trellis resume` and `trellis chat`; the caller holds the session's claim.
final class Conversation: Sendable {
    let store: SessionStore
    let name: String
    /// The agent the session is run with, as named on the command line.
    let agent: String
    private let latest: Mutex<(state: RunState?, failure: SessionError?)>

    init(store: SessionStore, name: String, agent: String, state: RunState?) {
        self.store = store
        self.name = name
        self.agent = agent
        self.latest = Mutex((state, nil))
    }

    /// The conversation as last committed; `nil` before its first run.
    var state: RunState? { latest.withLock { $0.state } }

    /// The first save that failed, if one did.
    var failure: SessionError? { latest.withLock { $0.failure } }

    /// Whether the last run was cut short and waits to be resumed.
    var isInterrupted: Bool { state?.status == .running }

    /// Saves a committed step; other events pass through to `onEvent`.
    func record(_ event: RunEvent) async {
        guard case .committed(let state) = event else { return }
        latest.withLock { $0.state = state }
        do {
            try await store.save(name, agent: agent, state: state)
        } catch {
            latest.withLock { if $0.failure == nil { $0.failure = error } }
        }
    }

    /// Finishes the run a crash cut short; `nil` when there is none.
    func resume(
        _ definition: AgentDefinition, runner: AgentRunner, options: AgentRunner.Options,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) async -> RunResult? {
        guard let state, state.status == .running else { return nil }
        return await runner.resume(definition, from: state, options: options) { event in
            await self.record(event)
            await onEvent(event)
        }
    }

    /// Sends the next message: the first run of a new session, or the next of a stored one (resume first).
    func send(
        _ input: [ContentPart], to definition: AgentDefinition, runner: AgentRunner, options: AgentRunner.Options,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) async -> RunResult {
        let forward: @Sendable (RunEvent) async -> Void = { event in
            await self.record(event)
            await onEvent(event)
        }
        guard let state else { return await runner.run(definition, input: input, options: options, onEvent: forward) }
        return await runner.run(definition, continuing: state, input: input, options: options, onEvent: forward)
    }

    /// Goes on with another agent (chat's `/agent`): the next message is its to answer, with its prompt.
    func switchAgent(to agent: String) {
        latest.withLock { latest in
            latest.state?.agent = agent
            latest.state?.entryAgent = agent
        }
    }

    /// Forgets the conversation (chat's `/reset`): the next message starts afresh under the same name.
    func reset() {
        latest.withLock { $0.state = nil }
    }

    /// What a resume did to the calls a crash cut short, for a progress line: `2 calls kept, 1 outcome unknown`.
    static func resumeSummary(of state: RunState) -> String {
        guard let batch = state.batch else { return "from its last step" }
        let done = batch.count { $0.phase == .done }
        let running = batch.count { $0.phase == .running }
        let waiting = batch.count - done - running
        var parts: [String] = []
        if done > 0 { parts.append("\(done) call result(s) kept") }
        if running > 0 { parts.append("\(running) call(s) cut short") }
        if waiting > 0 { parts.append("\(waiting) call(s) not started") }
        return parts.joined(separator: ", ")
    }
}
