import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import TrellisCore

/// The embedded run store: the server's runs in the workspace's SQLite file (`.trellis/trellis.db`, beside the
/// sessions), in WAL mode with `synchronous = NORMAL`, so a recorded step survives the process being killed.
///
/// Writes go through one connection, one transaction at a time; the steps that running runs record
/// (``record(_:events:state:)``, ``finish(_:status:result:state:events:)``) are grouped: while one transaction
/// commits, the steps that arrive wait and go in the next one together, so a thousand runs cost far fewer commits
/// than steps. Reads (a run, a page of runs, events for SSE) use a second connection and never wait for writes.
public actor SQLiteRunStore: RunStore {
    /// The file.
    public nonisolated let path: String
    private let writer: SQLiteConnection
    let reader: SQLiteConnection
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    let groups = GroupCommit<Step>()
    var encoders: [String: RunStateJSON] = [:]

    /// A write of a running run, fenced by its claim.
    struct Step {
        var claim: RunClaim
        var events: [RunEventRecord]
        var state: String?
        /// Set when the step ends the run.
        var ending: (status: RunStatus, result: String?, pending: String?)?
    }

    /// The store's own threads for SQLite calls: a statement waiting for another process's lock (`busy_timeout`)
    /// blocks one of them, never a thread that the process's other SQLite users (sessions) need to go on.
    private let threads: NIOThreadPool

    private init(path: String, writer: SQLiteConnection, reader: SQLiteConnection, threads: NIOThreadPool) {
        self.path = path
        self.writer = writer
        self.reader = reader
        self.threads = threads
    }

    /// Opens (or creates) the store, and the folders up to it.
    public static func open(path: String, logger: Logger = Logger(label: "trellis.runs")) async throws(RunStoreError)
        -> SQLiteRunStore
    {
        let folder = (path as NSString).deletingLastPathComponent
        let threads = NIOThreadPool(numberOfThreads: 2)
        threads.start()
        do {
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            let loop = MultiThreadedEventLoopGroup.singleton.any()
            let writer = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threads, logger: logger, on: loop
            ).get()
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000"] {
                _ = try await writer.query(pragma, []).get()
            }
            try await Self.createTables(writer)
            let reader = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threads, logger: logger, on: loop
            ).get()
            _ = try await reader.query("PRAGMA busy_timeout = 5000", []).get()
            return SQLiteRunStore(path: path, writer: writer, reader: reader, threads: threads)
        } catch let error as RunStoreError {
            try? await threads.shutdownGracefully()
            throw error
        } catch {
            try? await threads.shutdownGracefully()
            throw .database("\(path): \(Self.message(error))")
        }
    }

    private static func createTables(_ connection: SQLiteConnection) async throws {
        let statements = [
            "BEGIN IMMEDIATE",
            "CREATE TABLE IF NOT EXISTS trellis_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS runs (
                id TEXT PRIMARY KEY, agent TEXT NOT NULL, status TEXT NOT NULL, request TEXT NOT NULL, session TEXT,
                idempotency_key TEXT UNIQUE, attempt INTEGER NOT NULL DEFAULT 0, interruptions INTEGER NOT NULL DEFAULT 0,
                max_attempts INTEGER NOT NULL, worker TEXT, lease_until REAL,
                cancel_requested INTEGER NOT NULL DEFAULT 0, state TEXT, result TEXT, pending TEXT, decisions TEXT,
                last_seq INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, started_at REAL, finished_at REAL,
                updated_at REAL NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status)",
            "CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session) WHERE session IS NOT NULL",
            """
            CREATE TABLE IF NOT EXISTS run_events (
                run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)) WITHOUT ROWID
            """,
            "INSERT OR IGNORE INTO trellis_meta (key, value) VALUES ('runs_schema_version', '1')",
            "COMMIT",
        ]
        for statement in statements { _ = try await connection.query(statement, []).get() }
    }

    public func close() async {
        try? await writer.close()
        try? await reader.close()
        try? await threads.shutdownGracefully()
    }

    // MARK: Submitting and claiming

    public func submit(_ submission: RunSubmission, maxQueued: Int?) async throws -> (run: StoredRun, created: Bool) {
        try await transaction {
            if let key = submission.idempotencyKey,
                let row = try await write("SELECT * FROM runs WHERE idempotency_key = ?", [.text(key)]).first
            {
                return (try Self.run(row), false)
            }
            if let maxQueued {
                let queued = try await write("SELECT COUNT(*) AS n FROM runs WHERE status = 'queued'", [])
                let count = Int(queued.first?.column("n")?.integer ?? 0)
                if count >= maxQueued { throw RunStoreError.queueFull(queued: count) }
            }
            let now = Date().timeIntervalSince1970
            let rows = try await write(
                """
                INSERT INTO runs (id, agent, status, request, session, idempotency_key, max_attempts, created_at,
                    updated_at)
                VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?) RETURNING *
                """,
                [
                    .text(submission.id), .text(submission.agent), .text(submission.request.serialized()),
                    submission.session.map(SQLiteData.text) ?? .null,
                    submission.idempotencyKey.map(SQLiteData.text) ?? .null, .integer(submission.maxAttempts),
                    .float(now), .float(now),
                ])
            guard let row = rows.first else { throw RunStoreError.database("the new run was not written") }
            return (try Self.run(row), true)
        }
    }

    public func claim(worker: String, lease: Duration, limit: Int, agentRoom: [String: Int]) async throws
        -> [RunClaim]
    {
        guard limit > 0 else { return [] }
        return try await transaction {
            let now = Date().timeIntervalSince1970
            let excluded = agentRoom.filter { $0.value <= 0 }.keys.sorted()
            let agents =
                excluded.isEmpty ? "" : "AND agent NOT IN (\(excluded.map { _ in "?" }.joined(separator: ",")))"
            let rows = try await write(
                """
                SELECT id, agent FROM runs AS r
                WHERE (status = 'queued' OR (status = 'running' AND lease_until < ?)) \(agents)
                    AND (session IS NULL OR NOT EXISTS (
                        SELECT 1 FROM runs AS o WHERE o.session = r.session AND o.rowid < r.rowid
                            AND o.status IN ('queued', 'running', 'waiting_approval')))
                ORDER BY rowid LIMIT ?
                """,
                [.float(now)] + excluded.map(SQLiteData.text) + [.integer(limit)])
            var room = agentRoom
            var ids: [String] = []
            for row in rows {
                guard let id = row.column("id")?.string, let agent = row.column("agent")?.string else { continue }
                if let left = room[agent] {
                    guard left > 0 else { continue }
                    room[agent] = left - 1
                }
                ids.append(id)
            }
            guard !ids.isEmpty else { return [] }
            // A run still `running` here was taken over from a worker whose lease ran out: one more interruption.
            let claimed = try await write(
                """
                UPDATE runs SET interruptions = interruptions + (CASE WHEN status = 'running' THEN 1 ELSE 0 END),
                    status = 'running', attempt = attempt + 1, worker = ?, lease_until = ?, started_at = ?,
                    updated_at = ?
                WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                    AND (status = 'queued' OR (status = 'running' AND lease_until < ?))
                RETURNING *
                """,
                [.text(worker), .float(now + lease.secondsValue), .float(now), .float(now)] + ids.map(SQLiteData.text)
                    + [.float(now)])
            var claims: [String: RunClaim] = [:]
            for row in claimed {
                var run = try Self.run(row)
                let interruptions = Int(row.column("interruptions")?.integer ?? 0)
                if interruptions >= run.maxAttempts {
                    run = try await exhaust(run, interruptions: interruptions, now: now)
                }
                claims[run.id] = RunClaim(run: run, worker: worker)
            }
            return ids.compactMap { claims[$0] }
        }
    }

    /// Fails a run that was cut short as many times as it may be attempted.
    private func exhaust(_ run: StoredRun, interruptions: Int, now: Double) async throws -> StoredRun {
        let ending = RunRecords.exhausted(run, interruptions: interruptions)
        let rows = try await write(
            """
            UPDATE runs SET status = 'failed', result = ?, worker = NULL, lease_until = NULL, finished_at = ?,
                updated_at = ?, last_seq = ? WHERE id = ? RETURNING *
            """,
            [
                .text(ending.result.serialized()), .float(now), .float(now), .integer(ending.event.sequence),
                .text(run.id),
            ])
        try await insert([(run.id, ending.event)])
        return try rows.first.map(Self.run) ?? run
    }

    public func heartbeat(worker: String, lease: Duration) async throws -> RunHeartbeat {
        try await exclusive {
            let now = Date().timeIntervalSince1970
            let rows = try await write(
                """
                UPDATE runs SET lease_until = ? WHERE worker = ? AND status = 'running'
                RETURNING id, cancel_requested
                """, [.float(now + lease.secondsValue), .text(worker)])
            return RunHeartbeat(
                held: Set(rows.compactMap { $0.column("id")?.string }),
                cancelRequested: Set(
                    rows.filter { $0.column("cancel_requested")?.integer == 1 }.compactMap { $0.column("id")?.string }))
        }
    }

    public func recoverAbandoned(isAlive: @Sendable (String) -> Bool) async throws -> Int {
        // Each worker is asked about once, and the write lock is taken only when one of them is dead: live
        // workers call this at every heartbeat.
        let workers = try await guarded {
            try await read("SELECT DISTINCT worker FROM runs WHERE status = 'running' AND worker IS NOT NULL", [])
                .compactMap { $0.column("worker")?.string }
        }
        let dead = workers.filter { !isAlive($0) }
        guard !dead.isEmpty else { return 0 }
        return try await transaction {
            let rows = try await write(
                """
                UPDATE runs SET status = 'queued', worker = NULL, lease_until = NULL,
                    interruptions = interruptions + 1, updated_at = ?
                WHERE status = 'running' AND worker IN (\(dead.map { _ in "?" }.joined(separator: ",")))
                RETURNING id
                """, [.float(Date().timeIntervalSince1970)] + dead.map(SQLiteData.text))
            return rows.count
        }
    }

    // MARK: Plumbing

    /// Runs `body` alone on the writer connection: one transaction at a time.
    func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await guarded(body)
    }

    /// Runs `body` alone on the writer connection, in one `BEGIN IMMEDIATE` transaction: another process on the
    /// same file (a second `trellis serve`) waits for it, so a read and the write that depends on it (a claim) are
    /// one step for every process.
    func transaction<T>(_ body: () async throws -> T) async throws -> T {
        try await exclusive {
            _ = try await write("BEGIN IMMEDIATE", [])
            do {
                let value = try await body()
                _ = try await write("COMMIT", [])
                return value
            } catch {
                _ = try? await write("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Runs `body`, a database error becoming ``RunStoreError/database(_:)``.
    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw RunStoreError.database(Self.message(error))
        }
    }

    /// One statement on the writer. The future-based call is used on purpose: a step a cancelled run records (its
    /// end) must still be written.
    func write(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        try await writer.query(sql, binds).get()
    }

    func read(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        try await reader.query(sql, binds).get()
    }

    static func run(_ row: SQLiteRow) throws -> StoredRun {
        func text(_ name: String) -> String? { row.column(name)?.string }
        let id = text("id") ?? ""
        return StoredRun(
            id: id, agent: text("agent") ?? "", status: text("status").flatMap(RunStatus.init(rawValue:)) ?? .failed,
            request: RunRecords.json(text("request")) ?? .null, session: text("session"),
            attempt: Int(row.column("attempt")?.integer ?? 0),
            maxAttempts: Int(row.column("max_attempts")?.integer ?? 1),
            state: try RunRecords.state(text("state"), runID: id), result: RunRecords.json(text("result")),
            pendingCalls: RunRecords.pending(text("pending")), decisions: RunRecords.decisions(text("decisions")),
            lastSequence: Int(row.column("last_seq")?.integer ?? 0), created: row.column("created_at")?.double ?? 0,
            started: row.column("started_at")?.double, finished: row.column("finished_at")?.double)
    }

    static func message(_ error: any Error) -> String {
        (error as? SQLiteError).map { "\($0.message)" } ?? "\(error)"
    }
}
