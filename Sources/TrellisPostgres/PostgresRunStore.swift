import Foundation
import Logging
import PostgresNIO
import Synchronization
import TrellisCore
import TrellisRuntime

/// The run store for any number of workers and API nodes on any number of machines: the runs in PostgreSQL.
///
/// - Runs are claimed with `FOR UPDATE SKIP LOCKED`: two workers never take one run, and neither waits for the
///   other's rows.
/// - A claim holds a lease, renewed by heartbeat; a run whose lease ran out is taken over by another worker and
///   resumes from its last checkpoint. The attempt number fences every write: a worker that lost its run can never
///   write to it again.
/// - A step's state and events are written in one transaction, and steps arriving together are committed together.
/// - `LISTEN trellis_runs` / `NOTIFY` wake idle workers when a run is queued and followers when events are stored,
///   on every machine (``watch(_:)``); polling stays as the fallback.
/// - The schema is migrated at start-up under an advisory lock (``PostgresSchema``).
///
/// The store lives inside ``withStore(_:logger:_:)``, which runs the connection pool.
public final class PostgresRunStore: RunStore {
    /// Where the database is.
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    let groups = GroupCommit<Step>()
    let encoders = Mutex<[String: RunStateJSON]>([:])

    /// The NOTIFY channel.
    static let channel = "trellis_runs"
    /// The database's clock, in seconds since 1970: leases are compared on one clock, whatever the workers' are.
    static let now = "extract(epoch from clock_timestamp())::float8"

    /// A write of a running run, fenced by its claim.
    struct Step: Sendable {
        var claim: RunClaim
        var events: [RunEventRecord]
        var state: String?
        /// Set when the step ends the run.
        var ending: Ending?
    }

    struct Ending: Sendable {
        var status: RunStatus
        var result: String?
        var pending: String?
    }

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
    }

    /// Connects to the database, brings its schema up to date, and calls `body` with the store; the connections
    /// close when `body` returns.
    ///
    /// - Throws: ``PostgresStoreError`` for a bad URL or a newer schema, ``RunStoreError/database(_:)`` naming the
    ///   server when it cannot be reached; and what `body` throws.
    public static func withStore<Value>(
        _ location: PostgresLocation, logger: Logger = Logger(label: "trellis.runs.postgres"),
        _ body: (PostgresRunStore) async throws -> Value
    ) async throws -> Value {
        // One connection first: it fails at once with the reason (refused, a password, TLS), where the pool would
        // retry quietly; and it migrates the schema before any other query runs.
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do {
                let applied = try await PostgresSchema.migrate(connection, logger: logger)
                if !applied.isEmpty {
                    logger.info(
                        "applied trellis schema migration(s) \(applied.map(String.init).joined(separator: ", "))")
                }
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            if let error = PostgresStoreError.unwrapped(error) as? PostgresStoreError { throw error }
            throw PostgresStoreError.store(error, at: location)
        }
        // The pool logs each connection it could not make at `info`; that is noise beside the store's own errors.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .notice)
        let client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: poolLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(PostgresRunStore(location: location, client: client, logger: logger))
        }
    }

    public func close() async {}

    // MARK: Submitting and claiming

    public func submit(_ submission: RunSubmission, maxQueued: Int?) async throws -> (run: StoredRun, created: Bool) {
        try await transaction { connection in
            if let key = submission.idempotencyKey,
                let run = try await self.first(
                    connection, "SELECT * FROM trellis_runs WHERE idempotency_key = \(key)")
            {
                return (run, false)
            }
            if let maxQueued {
                let count = try await self.integer(
                    connection, "SELECT count(*)::bigint FROM trellis_runs WHERE status = 'queued'")
                if count >= maxQueued { throw RunStoreError.queueFull(queued: count) }
            }
            let inserted = try await self.first(
                connection,
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO trellis_runs (id, agent, status, request, session, idempotency_key, max_attempts,
                            created_at, updated_at)
                        VALUES ($1, $2, 'queued', $3, $4, $5, $6, \(Self.now), \(Self.now))
                        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                        RETURNING *
                        """,
                    binds: Self.binds(
                        submission.id, submission.agent, submission.request.serialized(), submission.session,
                        submission.idempotencyKey, submission.maxAttempts)))
            guard let run = inserted else {
                // Another node queued a run with this key between the look-up and the insert.
                guard let key = submission.idempotencyKey,
                    let run = try await self.first(
                        connection, "SELECT * FROM trellis_runs WHERE idempotency_key = \(key)")
                else { throw RunStoreError.database("the new run was not written") }
                return (run, false)
            }
            try await self.notify(connection, "queued")
            return (run, true)
        }
    }

    public func claim(worker: String, lease: Duration, limit: Int, agentRoom: [String: Int]) async throws
        -> [RunClaim]
    {
        guard limit > 0 else { return [] }
        let excluded = agentRoom.filter { $0.value <= 0 }.keys.sorted()
        return try await transaction { connection in
            var room = agentRoom
            var ids: [String] = []
            let candidates = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT id, agent FROM trellis_runs AS r
                        WHERE (status = 'queued' OR (status = 'running' AND lease_until < \(Self.now)))
                            AND NOT (agent = ANY($1))
                            AND (session IS NULL OR NOT EXISTS (
                                SELECT 1 FROM trellis_runs AS o WHERE o.session = r.session
                                    AND o.position < r.position
                                    AND o.status IN ('queued', 'running', 'waiting_approval')))
                        ORDER BY position LIMIT $2
                        FOR UPDATE SKIP LOCKED
                        """, binds: Self.binds(excluded, limit)),
                logger: self.logger)
            for try await (id, agent) in candidates.decode((String, String).self) {
                if let left = room[agent] {
                    guard left > 0 else { continue }
                    room[agent] = left - 1
                }
                ids.append(id)
            }
            guard !ids.isEmpty else { return [] }
            // A run still `running` here was taken over from a worker whose lease ran out: one more interruption.
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE trellis_runs SET
                            interruptions = interruptions + (CASE WHEN status = 'running' THEN 1 ELSE 0 END),
                            status = 'running', attempt = attempt + 1, worker = $1, lease_until = \(Self.now) + $2,
                            started_at = \(Self.now), updated_at = \(Self.now), cancel_requested = false
                        WHERE id = ANY($3)
                        RETURNING *
                        """, binds: Self.binds(worker, lease.secondsValue, ids)),
                logger: self.logger
            ).collect()
            var claims: [String: RunClaim] = [:]
            for row in rows {
                let fields = row.makeRandomAccess()
                var run = try Self.run(fields)
                let interruptions = try fields["interruptions"].decode(Int.self)
                if interruptions >= run.maxAttempts {
                    run = try await self.exhaust(connection, run, interruptions: interruptions)
                }
                claims[run.id] = RunClaim(run: run, worker: worker)
            }
            return ids.compactMap { claims[$0] }
        }
    }

    /// Fails a run that was cut short as many times as it may be attempted.
    private func exhaust(_ connection: PostgresConnection, _ run: StoredRun, interruptions: Int) async throws
        -> StoredRun
    {
        let ending = RunRecords.exhausted(run, interruptions: interruptions)
        let updated = try await first(
            connection,
            PostgresQuery(
                unsafeSQL: """
                    UPDATE trellis_runs SET status = 'failed', result = $1, worker = NULL, lease_until = NULL,
                        finished_at = \(Self.now), updated_at = \(Self.now), last_seq = $2
                    WHERE id = $3 RETURNING *
                    """, binds: Self.binds(ending.result.serialized(), ending.event.sequence, run.id)))
        try await insert(connection, [(run.id, ending.event)])
        try await notify(connection, "events \(run.id) \(ending.event.sequence)")
        return updated ?? run
    }

    public func heartbeat(worker: String, lease: Duration) async throws -> RunHeartbeat {
        try await guarded {
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE trellis_runs SET lease_until = \(Self.now) + $1
                        WHERE worker = $2 AND status = 'running'
                        RETURNING id, cancel_requested
                        """, binds: Self.binds(lease.secondsValue, worker)),
                logger: logger)
            var beat = RunHeartbeat(held: [], cancelRequested: [])
            for try await (id, cancel) in rows.decode((String, Bool).self) {
                beat.held.insert(id)
                if cancel { beat.cancelRequested.insert(id) }
            }
            return beat
        }
    }

    public func recoverAbandoned(isAlive: @Sendable (String) -> Bool) async throws -> Int {
        try await guarded {
            var dead: [String] = []
            for try await worker in try await client.query(
                "SELECT DISTINCT worker FROM trellis_runs WHERE status = 'running' AND worker IS NOT NULL",
                logger: logger
            ).decode(String.self) where !isAlive(worker) {
                dead.append(worker)
            }
            guard !dead.isEmpty else { return 0 }
            let workers = dead
            return try await transaction { connection in
                let count = try await self.integer(
                    connection,
                    PostgresQuery(
                        unsafeSQL: """
                            WITH recovered AS (
                                UPDATE trellis_runs SET status = 'queued', worker = NULL, lease_until = NULL,
                                    interruptions = interruptions + 1, updated_at = \(Self.now)
                                WHERE status = 'running' AND worker = ANY($1) RETURNING 1)
                            SELECT count(*)::bigint FROM recovered
                            """, binds: Self.binds(workers)))
                if count > 0 { try await self.notify(connection, "queued") }
                return count
            }
        }
    }

    // MARK: Plumbing

    /// Runs `body` in one transaction on one pooled connection.
    func transaction<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await guarded {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Runs `body`, a database error becoming a ``RunStoreError/database(_:)`` that says what happened.
    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw PostgresStoreError.store(error, at: location)
        }
    }

    func notify(_ connection: PostgresConnection, _ payload: String) async throws {
        try await connection.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger)
    }

    func first(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> StoredRun? {
        let rows = try await connection.query(query, logger: logger).collect()
        return try rows.first.map { try Self.run($0.makeRandomAccess()) }
    }

    private func integer(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
        for try await value in try await connection.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }

    static func binds(_ values: (any PostgresEncodable & Sendable)?...) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            if let value { try binds.append(value) } else { binds.appendNull() }
        }
        return binds
    }

    static func run(_ row: PostgresRandomAccessRow) throws -> StoredRun {
        let id = try row["id"].decode(String.self)
        func text(_ name: String) throws -> String? { try row[name].decode(String?.self) }
        return StoredRun(
            id: id, agent: try row["agent"].decode(String.self),
            status: RunStatus(rawValue: try row["status"].decode(String.self)) ?? .failed,
            request: RunRecords.json(try text("request")) ?? .null, session: try text("session"),
            attempt: try row["attempt"].decode(Int.self), maxAttempts: try row["max_attempts"].decode(Int.self),
            state: try RunRecords.state(try text("state"), runID: id), result: RunRecords.json(try text("result")),
            pendingCalls: RunRecords.pending(try text("pending")),
            decisions: RunRecords.decisions(try text("decisions")), lastSequence: try row["last_seq"].decode(Int.self),
            created: try row["created_at"].decode(Double.self), started: try row["started_at"].decode(Double?.self),
            finished: try row["finished_at"].decode(Double?.self))
    }
}
