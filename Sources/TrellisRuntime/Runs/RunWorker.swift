import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TrellisCore

/// Runs the queued runs of a store: up to ``Configuration/concurrency`` at a time, each checkpointed at every
/// step, as a swift-service-lifecycle `Service`.
///
/// At start it queues again the runs an earlier life of this process left `running` (killed, crashed), and they
/// resume from their last checkpoint: a recorded tool result is never produced again. While it runs it renews the
/// leases of its runs (``RunStore/heartbeat(worker:lease:)``) and cancels those whose cancellation was asked for.
/// On graceful shutdown (SIGTERM) it takes no new runs, gives the running ones ``Configuration/drainGrace`` to
/// finish, then stops the rest without ending them: they stay resumable from their last checkpoint.
public final class RunWorker: Service, Sendable {
    /// How a worker runs.
    public struct Configuration: Sendable {
        /// How many runs at once; 0 takes none (an API-only server).
        public var concurrency: Int
        /// The most runs of one agent at once, by agent name.
        public var agentLimits: [String: Int]
        /// How long a claim holds a run without a heartbeat.
        public var lease: Duration
        /// How often leases are renewed and cancellations looked for.
        public var heartbeat: Duration
        /// How often the queue is looked at when nothing wakes the worker.
        public var poll: Duration
        /// How long running runs may go on after SIGTERM.
        public var drainGrace: Duration
        /// The worker's name in the store: host, pid and process start time.
        public var name: String

        /// Creates a configuration.
        public init(
            concurrency: Int = 16, agentLimits: [String: Int] = [:], lease: Duration = .seconds(30),
            heartbeat: Duration = .seconds(10), poll: Duration = .seconds(1), drainGrace: Duration = .seconds(30),
            name: String = RunWorker.processName
        ) {
            self.concurrency = concurrency
            self.agentLimits = agentLimits
            self.lease = lease
            self.heartbeat = heartbeat
            self.poll = poll
            self.drainGrace = drainGrace
            self.name = name
        }
    }

    private struct Active {
        var runs: [String: RunHandle] = [:]
        var draining = false

        func count(of agent: String) -> Int { runs.values.count { $0.agent == agent } }
    }

    /// The store the runs are in.
    public let store: any RunStore
    /// The agents.
    public let host: WorkspaceHost
    /// Where followers hear of new events.
    public let hub: RunEventHub
    /// The conversations runs with a `session` continue.
    public let sessions: SessionStore?
    /// The worker's settings.
    public let configuration: Configuration
    let metrics: (any RunMetrics)?
    let logger: Logger
    private let wakeSignal = WakeSignal()
    private let active = Mutex(Active())
    private let idle = WakeSignal()

    /// Creates a worker.
    public init(
        store: any RunStore, host: WorkspaceHost, hub: RunEventHub, sessions: SessionStore?,
        configuration: Configuration, metrics: (any RunMetrics)? = nil, logger: Logger = Logger(label: "trellis.worker")
    ) {
        self.store = store
        self.host = host
        self.hub = hub
        self.sessions = sessions
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// This process's worker name: `host/pid/start`, where start is the process's start time, so a name is never
    /// reused by a later process with the same pid.
    public static let processName: String = {
        let me = ProcessIdentity.current
        return "\(ProcessInfo.processInfo.hostName)/\(me.pid)/\(me.start)"
    }()

    /// Whether the worker named `name` may still be running: always for another host's, for this host's only
    /// when its process is alive.
    public static func isAlive(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]) else {
            return parts.count == 3 ? true : false
        }
        return ProcessIdentity(pid: pid, start: String(parts[2])).isAlive
    }

    /// Tells the worker a run may be waiting (one was queued, or approved).
    public func wake() { wakeSignal.wake() }

    /// Runs this process is running now.
    public var running: Int { active.withLock { $0.runs.count } }

    /// Stops a run this worker runs; it ends `cancelled`. `false` when it does not run it.
    @discardableResult
    public func cancel(_ runID: String) -> Bool {
        guard let handle = active.withLock({ $0.runs[runID] }) else { return false }
        handle.stop(.cancel)
        return true
    }

    public func run() async throws {
        guard configuration.concurrency > 0 else {
            try? await gracefulShutdown()
            return
        }
        let recovered = try await store.recoverAbandoned(isAlive: Self.isAlive)
        if recovered > 0 { logger.info("queued again \(recovered) run(s) that a stopped trellis left running") }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.heartbeats() }
            await withGracefulShutdownHandler {
                await self.claimLoop(group: &group)
            } onGracefulShutdown: {
                self.active.withLock { $0.draining = true }
                self.wakeSignal.wake()
            }
            await drain()
            group.cancelAll()
        }
    }

    /// Claims runs while there is room, until the worker drains.
    private func claimLoop(group: inout DiscardingTaskGroup) async {
        while !active.withLock({ $0.draining }) && !Task.isCancelled {
            let (room, agentRoom) = active.withLock { active in
                (
                    configuration.concurrency - active.runs.count,
                    configuration.agentLimits.reduce(into: [String: Int]()) { room, limit in
                        room[limit.key] = limit.value - active.count(of: limit.key)
                    }
                )
            }
            guard room > 0 else {
                await wakeSignal.wait(timeout: configuration.poll)
                continue
            }
            let claims: [RunClaim]
            do {
                claims = try await store.claim(
                    worker: configuration.name, lease: configuration.lease, limit: room, agentRoom: agentRoom)
            } catch {
                logger.error("could not take a run from the queue: \(error)")
                await wakeSignal.wait(timeout: configuration.poll)
                continue
            }
            guard !claims.isEmpty else {
                await wakeSignal.wait(timeout: configuration.poll)
                continue
            }
            for claim in claims {
                let handle = RunHandle(agent: claim.run.agent)
                active.withLock { $0.runs[claim.runID] = handle }
                group.addTask {
                    await self.execute(claim, handle: handle)
                    self.active.withLock { $0.runs[claim.runID] = nil }
                    self.wakeSignal.wake()
                    self.idle.wake()
                }
            }
        }
    }

    /// Waits for the running runs up to the drain grace, then stops the rest, resumable.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.drainGrace
        while active.withLock({ !$0.runs.isEmpty }), ContinuousClock.now < deadline {
            await idle.wait(timeout: min(.milliseconds(200), deadline - ContinuousClock.now))
        }
        let left = active.withLock { Array($0.runs.values) }
        if !left.isEmpty {
            logger.info("stopping \(left.count) run(s) still running after the drain grace; they stay resumable")
        }
        for handle in left { handle.stop(.drain) }
        while active.withLock({ !$0.runs.isEmpty }) { await idle.wait(timeout: .milliseconds(100)) }
    }

    /// Renews the leases of the running runs; stops those another worker took over, and all of them when the
    /// store could not be reached for a whole lease (another worker may take them over by then); queues again the
    /// runs of workers on this host that died.
    private func heartbeats() async {
        var renewed = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeat)
            if Task.isCancelled { return }
            let started = ContinuousClock.now
            do {
                let beat = try await store.heartbeat(worker: configuration.name, lease: configuration.lease)
                renewed = started
                let lost = active.withLock { active in
                    active.runs.filter { !beat.held.contains($0.key) && $0.value.claimed < started }
                }
                for (id, handle) in lost {
                    logger.warning("run \(id) was taken over by another worker; this worker stops it")
                    handle.stop(.leaseLost)
                }
                for id in beat.cancelRequested { cancel(id) }
            } catch {
                logger.error("could not renew the leases of running runs: \(error)")
                if ContinuousClock.now - renewed >= configuration.lease {
                    let all = active.withLock { Array($0.runs.values) }
                    if !all.isEmpty {
                        logger.error(
                            """
                            the leases of \(all.count) run(s) could not be renewed for a whole lease; stopping them, \
                            as another worker may take them over
                            """)
                    }
                    for handle in all { handle.stop(.leaseLost) }
                }
            }
            do {
                if try await store.recoverAbandoned(isAlive: Self.isAlive) > 0 { wakeSignal.wake() }
            } catch {
                logger.error("could not look for runs that a stopped worker left running: \(error)")
            }
        }
    }

    // MARK: One run

    private func execute(_ claim: RunClaim, handle: RunHandle) async {
        var logger = logger
        logger[metadataKey: "agent.run.id"] = "\(claim.runID)"
        if claim.run.status.isFinal {
            // The store ended it at claim time (too many attempts).
            if let events = try? await store.events(of: claim.runID, after: claim.run.lastSequence - 1, limit: 10) {
                hub.publish(claim.runID, events)
            }
            metrics?.runEnded(status: claim.run.status)
            return
        }
        let sink = RunSink(claim: claim, store: store, hub: hub, handle: handle, metrics: metrics, logger: logger)
        await sink.emit(
            "run.started",
            [
                "attempt": .integer(claim.attempt), "resumed": .bool(claim.run.state != nil),
                "agent": .string(claim.run.agent),
            ])
        let outcome: RunResult
        let session = claim.run.session
        do {
            let request = try RunRequest(claim.run.request)
            if let session, let sessions { try await sessions.claim(session) }
            outcome = await run(claim, request: request, handle: handle, sink: sink, logger: logger)
        } catch {
            outcome = Self.failure(claim, error)
        }
        if let stop = handle.stop, stop != .cancel {
            if stop == .drain { try? await store.release(claim) }
            if let session { try? await sessions?.release(session) }
            logger.info("run stopped before it ended (\(stop)); it resumes from its last checkpoint")
            return
        }
        let status = Self.status(of: outcome)
        var events: [(String, JSONValue)] = []
        if status == .waitingApproval {
            let calls = (sink.lastState?.batch ?? []).filter { $0.phase == .approval }.map(\.call)
            events.append(
                ("approval.required", ["status": .string(status.rawValue), "calls": .array(calls.map(Self.json))]))
        } else {
            events.append(("run.finished", ["status": .string(status.rawValue), "result": outcome.json]))
        }
        await sink.finish(status: status, result: outcome.json, events: events)
        if let session, let sessions {
            if status != .waitingApproval, let state = sink.lastState {
                do {
                    try await sessions.save(session, agent: claim.run.agent, state: state)
                } catch {
                    logger.error("run \(claim.runID): session '\(session)' was not saved: \(error)")
                }
            }
            try? await sessions.release(session)
        }
        metrics?.runEnded(status: status)
    }

    /// Runs the agent: a new run, a continued conversation, or the resumption of a checkpoint.
    private func run(
        _ claim: RunClaim, request: RunRequest, handle: RunHandle, sink: RunSink, logger: Logger
    ) async -> RunResult {
        let runner = AgentRunner(resolver: host, logger: logger)
        let options = AgentRunner.Options(
            stream: request.stream, runID: claim.runID, workspace: host.root,
            approver: StoredApprover(decisions: claim.run.decisions))
        let onEvent: @Sendable (RunEvent) async -> Void = { event in await sink.handle(event) }
        let work: @Sendable () async throws -> RunResult = { [host, sessions, store] in
            var agent = try host.definition(named: claim.run.agent, params: request.params)
            if let system = request.system {
                agent.system = [agent.system, system].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
            }
            if let state = claim.run.state {
                let entry =
                    state.entryAgent == agent.name
                    ? agent : try host.definition(named: state.entryAgent, params: [:])
                return await runner.resume(entry, from: state, options: options, onEvent: onEvent)
            }
            if let name = claim.run.session, let stored = try await Self.continuation(of: name, sessions, store) {
                guard stored.agent == agent.name else {
                    throw WorkspaceSetupError(
                        "session '\(name)' is a conversation with agent '\(stored.agent)', not '\(agent.name)'")
                }
                guard stored.state.status == .finished else {
                    throw WorkspaceSetupError(
                        "session '\(name)': its last run was cut short; resume it first (trellis resume \(name))")
                }
                return await runner.run(
                    agent, continuing: stored.state, input: request.input, options: options, onEvent: onEvent)
            }
            if !request.history.isEmpty {
                var transcript: [ChatMessage] = []
                if let system = agent.system, !system.isEmpty { transcript.append(.system(system)) }
                var state = RunState(
                    runID: claim.runID, entryAgent: agent.name, agent: agent.name,
                    transcript: transcript + request.history)
                state.status = .finished
                return await runner.run(
                    agent, continuing: state, input: request.input, options: options, onEvent: onEvent)
            }
            return await runner.run(agent, input: request.input, options: options, onEvent: onEvent)
        }
        return await withTaskGroup(of: RunResult?.self) { group in
            group.addTask {
                do {
                    return try await work()
                } catch {
                    return Self.failure(claim, error)
                }
            }
            group.addTask {
                await handle.stopped()
                return nil
            }
            var result: RunResult?
            while let next = await group.next() {
                if let next {
                    result = next
                    group.cancelAll()
                } else if handle.stop != nil {
                    group.cancelAll()
                }
            }
            return result ?? Self.failure(claim, CancellationError())
        }
    }
}
