import TrellisCore

/// Where a server's runs live: a queue of submitted runs, the checkpoint of each run as it goes, its events, and
/// who is running it.
///
/// A worker ``claim(worker:lease:limit:agentRoom:)``s the oldest queued runs it may take (or one whose worker's lease
/// ran out) and gets a ``RunClaim`` whose ``RunClaim/attempt`` is a fencing token: every write a worker makes
/// names its claim, and a write of a claim that is no longer the run's current one is refused
/// (``RunStoreError/leaseLost(runID:)``), so a worker that lost its lease can never overwrite the run. Leases are
/// renewed by ``heartbeat(worker:lease:)``.
///
/// The embedded implementation is ``SQLiteRunStore``; `PostgresRunStore` (TrellisPostgres) keeps the same contract
/// for any number of workers on any number of machines.
public protocol RunStore: Sendable {
    /// Queues a run. A submission whose idempotency key was seen before returns that run instead.
    ///
    /// - Parameter maxQueued: Refuse the run (``RunStoreError/queueFull(queued:)``) when this many are queued.
    /// - Returns: The run, and whether it is new.
    func submit(_ submission: RunSubmission, maxQueued: Int?) async throws -> (run: StoredRun, created: Bool)

    /// Takes the oldest runs, up to `limit`, that are queued, or running under a lease that ran out, for `worker`.
    ///
    /// A run of a session waits while an earlier run of that session is queued, running or waiting for approval.
    /// A run taken over from a worker that died counts an attempt; past its ``StoredRun/maxAttempts`` it fails
    /// instead (its claim comes back with the run `failed`, its error naming the attempts).
    ///
    /// - Parameter agentRoom: For agents with a concurrency limit, how many more runs of each this worker may take.
    /// - Returns: The claims, oldest run first.
    func claim(worker: String, lease: Duration, limit: Int, agentRoom: [String: Int]) async throws -> [RunClaim]

    /// Extends the lease of every run `worker` holds.
    ///
    /// - Returns: The runs it still holds, and those of them whose cancellation was asked for.
    func heartbeat(worker: String, lease: Duration) async throws -> RunHeartbeat

    /// Records a step of a claimed run: events in order, and the state to resume from when one is given.
    ///
    /// - Throws: ``RunStoreError/leaseLost(runID:)`` when the claim is no longer the run's.
    func record(_ claim: RunClaim, events: [RunEventRecord], state: RunState?) async throws

    /// Ends a claimed run: its status, its result in the `--json` shape, its last events and state.
    func finish(
        _ claim: RunClaim, status: RunStatus, result: JSONValue?, state: RunState?, events: [RunEventRecord]
    ) async throws

    /// Puts a claimed run back in the queue without ending it (a worker stopping): it resumes from its last state.
    func release(_ claim: RunClaim) async throws

    /// Records approval decisions for a run waiting for them and queues it again.
    ///
    /// - Throws: ``RunStoreError/notFound(runID:)``, ``RunStoreError/conflict(runID:message:)`` when the run is
    ///   not waiting for approval or a call id is not one of its pending calls.
    func decide(_ runID: String, decisions: [String: ToolApprovalDecision]) async throws -> StoredRun

    /// Cancels a run: at once when it is queued or waiting for approval, else by asking its worker (the next
    /// heartbeat tells it).
    ///
    /// - Returns: The run afterwards; `nil` when there is none of that id.
    func cancel(_ runID: String) async throws -> StoredRun?

    /// One run.
    func run(_ runID: String) async throws -> StoredRun?

    /// Runs newest first, filtered; `cursor` is the ``RunPage/next`` of the page before.
    func runs(_ filter: RunFilter) async throws -> RunPage

    /// A run's events after sequence number `sequence`, in order, at most `limit`.
    func events(of runID: String, after sequence: Int, limit: Int) async throws -> [RunEventRecord]

    /// Runs that are `running` under `worker`'s name from an earlier life of this worker (the same host, a
    /// process that is gone) are queued again at once instead of waiting for their lease to run out.
    ///
    /// - Returns: How many runs were queued again.
    func recoverAbandoned(isAlive: @Sendable (String) -> Bool) async throws -> Int

    /// How many runs have each status.
    func counts() async throws -> [RunStatus: Int]

    /// The conversation of a session as its newest ended run left it: what the next run of the session continues
    /// when the sessions live with the runs (a store shared by several machines) rather than in a local
    /// ``SessionStore``; `nil` before the session's first ended run.
    func sessionState(_ session: String) async throws -> SessionContinuation?

    /// Calls `handle` with each change that any process makes to the store (a run queued, events stored, a
    /// cancellation asked for), until the task is cancelled, so idle workers and followers on every machine hear of
    /// them at once. A store that cannot tell waits for cancellation; its users poll.
    func watch(_ handle: @escaping @Sendable (RunStoreChange) async -> Void) async throws

    /// Closes the store.
    func close() async
}

extension RunStore {
    /// Waits for cancellation: this store does not tell of changes, and its users poll.
    public func watch(_ handle: @escaping @Sendable (RunStoreChange) async -> Void) async throws {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }
}

/// A change to a store that its watchers hear of (``RunStore/watch(_:)``).
public enum RunStoreChange: Sendable, Hashable {
    /// A run may be waiting for a worker: one was queued, approved, released, or a run of a session ended.
    case queued
    /// Events of a run were stored, up to sequence number `last`.
    case events(runID: String, last: Int)
    /// The cancellation of a running run was asked for.
    case cancelRequested(runID: String)
}

/// A session's conversation as a run left it.
public struct SessionContinuation: Sendable, Hashable {
    /// The agent the session talks to.
    public var agent: String
    /// The state the run ended with.
    public var state: RunState

    /// Creates a continuation.
    public init(agent: String, state: RunState) {
        self.agent = agent
        self.state = state
    }
}

/// What a heartbeat found: the runs the worker still holds.
public struct RunHeartbeat: Sendable, Hashable {
    /// The runs the worker holds, their leases renewed; a run it runs that is not here was taken over.
    public var held: Set<String>
    /// Those of them whose cancellation was asked for.
    public var cancelRequested: Set<String>

    /// Creates a heartbeat's answer.
    public init(held: Set<String>, cancelRequested: Set<String>) {
        self.held = held
        self.cancelRequested = cancelRequested
    }
}

/// Where a run is.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for a worker.
    case queued
    /// A worker runs it.
    case running
    /// Calls wait for a decision: `POST /v1/runs/{id}/approvals`.
    case waitingApproval = "waiting_approval"
    /// It ended with a final answer.
    case succeeded
    /// It ended otherwise: a provider error, a limit, too many attempts.
    case failed
    /// It was cancelled.
    case cancelled

    /// Whether the run is over.
    public var isFinal: Bool { [.succeeded, .failed, .cancelled].contains(self) }
}

/// A run to queue.
public struct RunSubmission: Sendable, Hashable {
    /// The run's id (`run_…`).
    public var id: String
    /// The agent to run.
    public var agent: String
    /// What to run it on: `{"input": text|[parts]}` or `{"messages": [...]}` (OpenAI's shape), with `params` and
    /// `stream` beside them.
    public var request: JSONValue
    /// The session the run continues, if any.
    public var session: String?
    /// The client's `Idempotency-Key`.
    public var idempotencyKey: String?
    /// How many times the run may be started before it fails.
    public var maxAttempts: Int

    /// Creates a submission.
    public init(
        id: String = AgentRunner.makeRunID(), agent: String, request: JSONValue, session: String? = nil,
        idempotencyKey: String? = nil, maxAttempts: Int = 3
    ) {
        self.id = id
        self.agent = agent
        self.request = request
        self.session = session
        self.idempotencyKey = idempotencyKey
        self.maxAttempts = maxAttempts
    }
}

/// A run as the store holds it.
public struct StoredRun: Sendable, Hashable {
    /// Its id.
    public var id: String
    /// The agent it runs.
    public var agent: String
    /// Where it is.
    public var status: RunStatus
    /// What it was submitted with (``RunSubmission/request``).
    public var request: JSONValue
    /// The session it continues.
    public var session: String?
    /// How many times a worker has taken it.
    public var attempt: Int
    /// How many attempts it may have.
    public var maxAttempts: Int
    /// The last checkpoint; `nil` before its first step.
    public var state: RunState?
    /// The result in the `--json` shape, once it ended.
    public var result: JSONValue?
    /// Calls waiting for approval, while ``status`` is `waiting_approval`.
    public var pendingCalls: [ToolCall]
    /// Decisions recorded for its calls, by call id.
    public var decisions: [String: ToolApprovalDecision]
    /// The sequence number of its last event (0 before the first).
    public var lastSequence: Int
    /// When it was queued, started, and ended (seconds since 1970).
    public var created: Double
    /// When a worker last took it.
    public var started: Double?
    /// When it ended.
    public var finished: Double?

    /// Creates a record.
    public init(
        id: String, agent: String, status: RunStatus, request: JSONValue, session: String?, attempt: Int,
        maxAttempts: Int, state: RunState?, result: JSONValue?, pendingCalls: [ToolCall],
        decisions: [String: ToolApprovalDecision], lastSequence: Int, created: Double, started: Double?,
        finished: Double?
    ) {
        self.id = id
        self.agent = agent
        self.status = status
        self.request = request
        self.session = session
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.state = state
        self.result = result
        self.pendingCalls = pendingCalls
        self.decisions = decisions
        self.lastSequence = lastSequence
        self.created = created
        self.started = started
        self.finished = finished
    }
}

/// A worker's hold on one run.
public struct RunClaim: Sendable, Hashable {
    /// The run, as it was when claimed.
    public var run: StoredRun
    /// The worker.
    public var worker: String
    /// The fencing token: the run's attempt number when this claim took it.
    public var attempt: Int { run.attempt }
    /// The run's id.
    public var runID: String { run.id }

    /// Creates a claim.
    public init(run: StoredRun, worker: String) {
        self.run = run
        self.worker = worker
    }
}

/// One event of a run, as stored and sent over SSE.
public struct RunEventRecord: Sendable, Hashable {
    /// Its sequence number in the run, from 1.
    public var sequence: Int
    /// Its SSE event name (`turn.started`, `text.delta`, `run.finished`...).
    public var type: String
    /// Its JSON data.
    public var data: JSONValue

    /// Creates an event.
    public init(sequence: Int, type: String, data: JSONValue) {
        self.sequence = sequence
        self.type = type
        self.data = data
    }
}

/// Which runs to list.
public struct RunFilter: Sendable, Hashable {
    /// Only runs with this status.
    public var status: RunStatus?
    /// Only runs of this agent.
    public var agent: String?
    /// At most this many.
    public var limit: Int
    /// Where the page starts: the ``RunPage/next`` of the one before.
    public var cursor: String?

    /// Creates a filter.
    public init(status: RunStatus? = nil, agent: String? = nil, limit: Int = 20, cursor: String? = nil) {
        self.status = status
        self.agent = agent
        self.limit = limit
        self.cursor = cursor
    }
}

/// A page of runs.
public struct RunPage: Sendable, Hashable {
    /// The runs, newest first.
    public var runs: [StoredRun]
    /// The cursor of the next page; `nil` on the last.
    public var next: String?

    /// Creates a page.
    public init(runs: [StoredRun], next: String?) {
        self.runs = runs
        self.next = next
    }
}

/// Why a store refused something.
public enum RunStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No run of that id.
    case notFound(runID: String)
    /// The run is not in a state that allows it.
    case conflict(runID: String, message: String)
    /// The worker's claim is no longer the run's: another worker took it over.
    case leaseLost(runID: String)
    /// The queue holds as many runs as it may.
    case queueFull(queued: Int)
    /// The database failed.
    case database(String)

    public var description: String {
        switch self {
        case .notFound(let id): "no run '\(id)'"
        case .conflict(let id, let message): "run '\(id)': \(message)"
        case .leaseLost(let id): "run '\(id)': this worker's lease was taken over; its writes are refused"
        case .queueFull(let queued): "the queue is full (\(queued) runs queued); retry later"
        case .database(let message): "the run store failed: \(message)"
        }
    }
}
