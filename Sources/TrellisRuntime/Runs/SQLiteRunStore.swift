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
    private let reader: SQLiteConnection
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var steps: [(ticket: Int, step: Step)] = []
    private var stepWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    private var nextTicket = 0
    private var flushing = false
    private var encoders: [String: RunStateJSON] = [:]

    /// A write of a running run, fenced by its claim.
    private struct Step {
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
        var result = run.state?.result ?? Self.emptyResult(run.agent)
        result.finishReason = .error
        result.error = RunError(
            code: "attempts_exhausted",
            message:
                "the run was attempted \(interruptions) times and each attempt was cut short (its worker stopped "
                + "or lost its lease); it may be attempted \(run.maxAttempts) times")
        let event = RunEventRecord(
            sequence: run.lastSequence + 1, type: "run.finished",
            data: ["status": .string(RunStatus.failed.rawValue), "result": result.json])
        let rows = try await write(
            """
            UPDATE runs SET status = 'failed', result = ?, worker = NULL, lease_until = NULL, finished_at = ?,
                updated_at = ?, last_seq = ? WHERE id = ? RETURNING *
            """, [.text(result.json.serialized()), .float(now), .float(now), .integer(event.sequence), .text(run.id)])
        try await insert([(run.id, event)])
        return try rows.first.map(Self.run) ?? run
    }

    public func heartbeat(worker: String, lease: Duration) async throws -> Set<String> {
        try await exclusive {
            let now = Date().timeIntervalSince1970
            let rows = try await write(
                """
                UPDATE runs SET lease_until = ? WHERE worker = ? AND status = 'running'
                RETURNING id, cancel_requested
                """, [.float(now + lease.secondsValue), .text(worker)])
            return Set(
                rows.filter { $0.column("cancel_requested")?.integer == 1 }.compactMap { $0.column("id")?.string })
        }
    }

    public func recoverAbandoned(isAlive: @Sendable (String) -> Bool) async throws -> Int {
        try await transaction {
            let rows = try await write("SELECT id, worker FROM runs WHERE status = 'running'", [])
            var recovered = 0
            for row in rows {
                guard let id = row.column("id")?.string, !isAlive(row.column("worker")?.string ?? "") else { continue }
                _ = try await write(
                    """
                    UPDATE runs SET status = 'queued', worker = NULL, lease_until = NULL,
                        interruptions = interruptions + 1, updated_at = ? WHERE id = ? AND status = 'running'
                    """, [.float(Date().timeIntervalSince1970), .text(id)])
                recovered += 1
            }
            return recovered
        }
    }

    // MARK: Steps of running runs

    public func record(_ claim: RunClaim, events: [RunEventRecord], state: RunState?) async throws {
        let json = try state.map { try encode($0, run: claim.runID) }
        try await commit(Step(claim: claim, events: events, state: json, ending: nil))
    }

    public func finish(
        _ claim: RunClaim, status: RunStatus, result: JSONValue?, state: RunState?, events: [RunEventRecord]
    ) async throws {
        let json = try state.map { try encode($0, run: claim.runID) }
        var pending: String?
        if status == .waitingApproval, let batch = state?.batch {
            let calls = batch.filter { $0.phase == .approval }.map(\.call)
            pending = String(decoding: try RunStateJSON.encoder.encode(calls), as: UTF8.self)
        }
        if status != .waitingApproval { encoders[claim.runID] = nil }
        try await commit(
            Step(
                claim: claim, events: events, state: json,
                ending: (status, result?.serialized(), pending)))
    }

    public func release(_ claim: RunClaim) async throws {
        encoders[claim.runID] = nil
        try await exclusive {
            _ = try await write(
                """
                UPDATE runs SET status = 'queued', worker = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ? AND attempt = ? AND worker = ? AND status = 'running'
                """,
                [
                    .float(Date().timeIntervalSince1970), .text(claim.runID), .integer(claim.attempt),
                    .text(claim.worker),
                ])
        }
    }

    private func encode(_ state: RunState, run id: String) throws -> String {
        var encoder = encoders[id] ?? RunStateJSON()
        defer { encoders[id] = encoder }
        return try encoder.encode(state)
    }

    /// Adds a step to the next group commit and waits for it.
    private func commit(_ step: Step) async throws {
        let ticket = nextTicket
        nextTicket += 1
        steps.append((ticket, step))
        guard !flushing else {
            try await withCheckedThrowingContinuation { stepWaiters[ticket] = $0 }
            return
        }
        flushing = true
        defer { flushing = false }
        var mine: Result<Void, any Error> = .success(())
        while !steps.isEmpty {
            let group = steps
            steps = []
            let outcomes = await apply(group.map(\.step))
            for ((groupTicket, _), outcome) in zip(group, outcomes) {
                if groupTicket == ticket {
                    mine = outcome
                } else {
                    stepWaiters.removeValue(forKey: groupTicket)?.resume(with: outcome)
                }
            }
        }
        try mine.get()
    }

    /// Writes a group of steps in one transaction; a step whose claim is no longer the run's is refused alone.
    ///
    /// The steps that do not end a run are written with one statement per 500 runs, whatever their number: for each
    /// claim, the newest state and the last event's number.
    private func apply(_ group: [Step]) async -> [Result<Void, any Error>] {
        do {
            return try await exclusive {
                _ = try await write("BEGIN IMMEDIATE", [])
                do {
                    let now = Date().timeIntervalSince1970
                    let accepted = try await advance(group.filter { $0.ending == nil }, now: now)
                    var outcomes: [Result<Void, any Error>] = []
                    var events: [(String, RunEventRecord)] = []
                    for step in group {
                        let claim = step.claim
                        let written: Bool
                        if let ending = step.ending {
                            written = try await end(step, ending, now: now)
                        } else {
                            written = accepted.contains(Fence(claim))
                        }
                        if written {
                            outcomes.append(.success(()))
                            events += step.events.map { (claim.runID, $0) }
                        } else {
                            outcomes.append(.failure(RunStoreError.leaseLost(runID: claim.runID)))
                        }
                    }
                    try await insert(events)
                    _ = try await write("COMMIT", [])
                    return outcomes
                } catch {
                    _ = try? await write("ROLLBACK", [])
                    throw error
                }
            }
        } catch {
            let failure = RunStoreError.database(Self.message(error))
            return group.map { _ in .failure(failure) }
        }
    }

    /// A claim as the fence of a write: the run, the attempt and the worker.
    private struct Fence: Hashable {
        var run: String
        var attempt: Int
        var worker: String

        init(_ claim: RunClaim) {
            self.init(run: claim.runID, attempt: claim.attempt, worker: claim.worker)
        }

        init(run: String, attempt: Int, worker: String) {
            self.run = run
            self.attempt = attempt
            self.worker = worker
        }
    }

    /// Moves each claimed run to its newest state and event number; the fences whose run was updated.
    private func advance(_ steps: [Step], now: Double) async throws -> Set<Fence> {
        var order: [Fence] = []
        var latest: [Fence: (state: String?, sequence: Int?)] = [:]
        for step in steps {
            let fence = Fence(step.claim)
            var entry = latest[fence] ?? (nil, nil)
            if latest[fence] == nil { order.append(fence) }
            if let state = step.state { entry.state = state }
            if let last = step.events.last?.sequence { entry.sequence = last }
            latest[fence] = entry
        }
        var accepted: Set<Fence> = []
        var start = 0
        while start < order.count {
            let chunk = order[start..<min(start + 500, order.count)]
            start = chunk.endIndex
            var binds: [SQLiteData] = [.float(now)]
            binds.reserveCapacity(1 + chunk.count * 5)
            for fence in chunk {
                let entry = latest[fence] ?? (nil, nil)
                binds += [
                    .text(fence.run), .integer(fence.attempt), .text(fence.worker),
                    entry.state.map(SQLiteData.text) ?? .null, entry.sequence.map { .integer($0) } ?? .null,
                ]
            }
            let values = Array(repeating: "(?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            let rows = try await write(
                """
                UPDATE runs SET state = COALESCE(v.column4, runs.state), last_seq = COALESCE(v.column5, runs.last_seq),
                    updated_at = ?
                FROM (VALUES \(values)) AS v
                WHERE runs.id = v.column1 AND runs.attempt = v.column2 AND runs.worker = v.column3
                    AND runs.status = 'running'
                RETURNING runs.id AS id, runs.attempt AS attempt, runs.worker AS worker
                """, binds)
            for row in rows {
                accepted.insert(
                    Fence(
                        run: row.column("id")?.string ?? "", attempt: Int(row.column("attempt")?.integer ?? 0),
                        worker: row.column("worker")?.string ?? ""))
            }
        }
        return accepted
    }

    /// Ends one claimed run; `false` when the claim is no longer the run's.
    private func end(
        _ step: Step, _ ending: (status: RunStatus, result: String?, pending: String?), now: Double
    ) async throws -> Bool {
        let claim = step.claim
        let last: SQLiteData = step.events.last.map { .integer($0.sequence) } ?? .null
        let rows = try await write(
            """
            UPDATE runs SET status = ?, result = COALESCE(?, result), state = COALESCE(?, state),
                pending = ?, decisions = CASE WHEN ? = 'waiting_approval' THEN decisions END,
                worker = NULL, lease_until = NULL, last_seq = COALESCE(?, last_seq),
                finished_at = CASE WHEN ? IN ('succeeded', 'failed', 'cancelled') THEN ? END,
                updated_at = ?
            WHERE id = ? AND attempt = ? AND worker = ? AND status = 'running' RETURNING id
            """,
            [
                .text(ending.status.rawValue), ending.result.map(SQLiteData.text) ?? .null,
                step.state.map(SQLiteData.text) ?? .null, ending.pending.map(SQLiteData.text) ?? .null,
                .text(ending.status.rawValue), last, .text(ending.status.rawValue), .float(now), .float(now),
                .text(claim.runID), .integer(claim.attempt), .text(claim.worker),
            ])
        return !rows.isEmpty
    }

    /// Inserts events, many rows per statement.
    private func insert(_ events: [(String, RunEventRecord)]) async throws {
        var start = events.startIndex
        while start < events.endIndex {
            let chunk = events[start..<min(start + 1000, events.endIndex)]
            start = chunk.endIndex
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * 4)
            for (run, event) in chunk {
                binds += [.text(run), .integer(event.sequence), .text(event.type), .text(event.data.serialized())]
            }
            let values = Array(repeating: "(?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            _ = try await write("INSERT OR IGNORE INTO run_events (run_id, seq, type, data) VALUES \(values)", binds)
        }
    }

    // MARK: Approvals and cancellation

    public func decide(_ runID: String, decisions: [String: ToolApprovalDecision]) async throws -> StoredRun {
        try await transaction {
            guard let row = try await write("SELECT * FROM runs WHERE id = ?", [.text(runID)]).first else {
                throw RunStoreError.notFound(runID: runID)
            }
            let run = try Self.run(row)
            guard run.status == .waitingApproval else {
                throw RunStoreError.conflict(
                    runID: runID, message: "it is \(run.status.rawValue), not waiting_approval")
            }
            let pending = Set(run.pendingCalls.map(\.id))
            for id in decisions.keys.sorted() where !pending.contains(id) {
                throw RunStoreError.conflict(
                    runID: runID,
                    message:
                        "no pending call '\(id)'; pending: \(run.pendingCalls.map(\.id).sorted().joined(separator: ", "))"
                )
            }
            let merged = run.decisions.merging(decisions) { $1 }
            let text = String(decoding: try RunStateJSON.encoder.encode(merged), as: UTF8.self)
            let rows = try await write(
                "UPDATE runs SET status = 'queued', decisions = ?, updated_at = ? WHERE id = ? RETURNING *",
                [.text(text), .float(Date().timeIntervalSince1970), .text(runID)])
            return try rows.first.map(Self.run) ?? run
        }
    }

    public func cancel(_ runID: String) async throws -> StoredRun? {
        try await transaction {
            guard let row = try await write("SELECT * FROM runs WHERE id = ?", [.text(runID)]).first else {
                return StoredRun?.none
            }
            let run = try Self.run(row)
            let now = Date().timeIntervalSince1970
            switch run.status {
            case .queued, .waitingApproval:
                var result = run.state?.result ?? Self.emptyResult(run.agent)
                result.finishReason = .cancelled
                result.error = RunError(code: "cancelled", message: "the run was cancelled")
                let event = RunEventRecord(
                    sequence: run.lastSequence + 1, type: "run.finished",
                    data: ["status": .string(RunStatus.cancelled.rawValue), "result": result.json])
                let rows = try await write(
                    """
                    UPDATE runs SET status = 'cancelled', result = ?, pending = NULL, finished_at = ?, updated_at = ?,
                        last_seq = ? WHERE id = ? RETURNING *
                    """,
                    [.text(result.json.serialized()), .float(now), .float(now), .integer(event.sequence), .text(runID)])
                try await insert([(runID, event)])
                return try rows.first.map(Self.run)
            case .running:
                let rows = try await write(
                    "UPDATE runs SET cancel_requested = 1, updated_at = ? WHERE id = ? RETURNING *",
                    [.float(now), .text(runID)])
                return try rows.first.map(Self.run)
            case .succeeded, .failed, .cancelled:
                return run
            }
        }
    }

    // MARK: Reading

    public func run(_ runID: String) async throws -> StoredRun? {
        try await guarded {
            try await read("SELECT * FROM runs WHERE id = ?", [.text(runID)]).first.map(Self.run)
        }
    }

    public func runs(_ filter: RunFilter) async throws -> RunPage {
        try await guarded {
            var conditions: [String] = []
            var binds: [SQLiteData] = []
            if let status = filter.status {
                conditions.append("status = ?")
                binds.append(.text(status.rawValue))
            }
            if let agent = filter.agent {
                conditions.append("agent = ?")
                binds.append(.text(agent))
            }
            if let cursor = filter.cursor {
                guard let position = Int(cursor) else { throw RunStoreError.conflict(runID: "", message: "bad cursor") }
                conditions.append("rowid < ?")
                binds.append(.integer(position))
            }
            let limit = max(1, min(filter.limit, 1000))
            let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try await read(
                "SELECT rowid AS position, * FROM runs \(clause) ORDER BY rowid DESC LIMIT ?",
                binds + [.integer(limit + 1)])
            let page = try rows.prefix(limit).map(Self.run)
            let next = rows.count > limit ? rows[limit - 1].column("position")?.integer.map(String.init) : nil
            return RunPage(runs: page, next: next)
        }
    }

    public func events(of runID: String, after sequence: Int, limit: Int) async throws -> [RunEventRecord] {
        try await guarded {
            let rows = try await read(
                "SELECT seq, type, data FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                [.text(runID), .integer(sequence), .integer(limit)])
            return rows.map { row in
                RunEventRecord(
                    sequence: Int(row.column("seq")?.integer ?? 0), type: row.column("type")?.string ?? "",
                    data: (try? JSONValue.parse(row.column("data")?.string ?? "null")) ?? .null)
            }
        }
    }

    public func counts() async throws -> [RunStatus: Int] {
        try await guarded {
            let rows = try await read("SELECT status, COUNT(*) AS n FROM runs GROUP BY status", [])
            var counts: [RunStatus: Int] = [:]
            for row in rows {
                if let status = row.column("status")?.string.flatMap(RunStatus.init(rawValue:)) {
                    counts[status] = Int(row.column("n")?.integer ?? 0)
                }
            }
            return counts
        }
    }

    // MARK: Plumbing

    /// Runs `body` alone on the writer connection: one transaction at a time.
    private func exclusive<T>(_ body: () async throws -> T) async throws -> T {
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
    private func transaction<T>(_ body: () async throws -> T) async throws -> T {
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
    private func guarded<T>(_ body: () async throws -> T) async throws -> T {
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
    private func write(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        try await writer.query(sql, binds).get()
    }

    private func read(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        try await reader.query(sql, binds).get()
    }

    private static func run(_ row: SQLiteRow) throws -> StoredRun {
        func text(_ name: String) -> String? { row.column(name)?.string }
        func parsed(_ name: String) -> JSONValue? { text(name).flatMap { try? JSONValue.parse($0) } }
        let id = text("id") ?? ""
        var state: RunState?
        if let stored = text("state") {
            do {
                state = try RunStateJSON.decode(stored)
            } catch {
                throw RunStoreError.conflict(runID: id, message: "its state cannot be read: \(error)")
            }
        }
        let pending = text("pending").flatMap { try? JSONDecoder().decode([ToolCall].self, from: Data($0.utf8)) }
        let decisions = text("decisions").flatMap {
            try? JSONDecoder().decode([String: ToolApprovalDecision].self, from: Data($0.utf8))
        }
        return StoredRun(
            id: id, agent: text("agent") ?? "", status: text("status").flatMap(RunStatus.init(rawValue:)) ?? .failed,
            request: parsed("request") ?? .null, session: text("session"),
            attempt: Int(row.column("attempt")?.integer ?? 0),
            maxAttempts: Int(row.column("max_attempts")?.integer ?? 1), state: state, result: parsed("result"),
            pendingCalls: pending ?? [], decisions: decisions ?? [:],
            lastSequence: Int(row.column("last_seq")?.integer ?? 0), created: row.column("created_at")?.double ?? 0,
            started: row.column("started_at")?.double, finished: row.column("finished_at")?.double)
    }

    /// The result of a run that ended before its first step.
    private static func emptyResult(_ agent: String) -> RunResult {
        RunResult(
            agent: agent, output: "", finishReason: .error, route: nil, turns: 0, toolCalls: [], usage: nil,
            error: nil, transcript: [])
    }

    private static func message(_ error: any Error) -> String {
        (error as? SQLiteError).map { "\($0.message)" } ?? "\(error)"
    }
}
