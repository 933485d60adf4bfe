import Foundation
import Logging
import NIOCore
import SQLiteNIO
import TrellisCore

/// The workspace's embedded store: conversations (sessions) in a SQLite file, `.trellis/trellis.db`.
///
/// A session row holds the conversation's ``RunState`` as JSON, saved after every step the loop commits
/// (``RunEvent/committed(_:)``), and a few columns to list it by. One process at a time may run a session: it
/// takes a lease (``claim(_:)``) that another process gets a ``SessionError/busy(name:pid:)`` for, and that lapses
/// when its owner dies, so a session a killed run left behind can be resumed.
///
/// The file is in WAL mode with `synchronous = NORMAL`: a committed step survives the process being killed.
///
/// ```swift
/// let store = try await SessionStore.open(path: ".trellis/trellis.db")
/// try await store.claim("support")
/// let stored = try await store.session("support")
/// ...
/// try await store.save("support", agent: "helper", state: state)
/// try await store.release("support")
/// await store.close()
/// ```
public actor SessionStore {
    /// The file.
    public nonisolated let path: String
    private let connection: SQLiteConnection
    private var claimed: Set<String> = []
    /// Per session, the transcript last saved and each message's JSON: a step appends a message or two, so a save
    /// encodes only those, not the whole conversation again.
    private var encodedTranscripts: [String: RunStateJSON] = [:]

    /// The version of the tables this build creates and reads.
    static let schemaVersion = 1

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
    }

    /// Opens (or creates) the store, and the folders up to it.
    ///
    /// - Throws: ``SessionError/database(path:message:)`` when the file cannot be opened or was written by a
    ///   newer trellis.
    public static func open(path: String, logger: Logger = Logger(label: "trellis.sessions")) async throws(SessionError)
        -> SessionStore
    {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            let store = SessionStore(path: path, connection: connection)
            try await store.prepare()
            return store
        } catch let error as SessionError {
            throw error
        } catch {
            throw .database(path: path, message: Self.message(error))
        }
    }

    /// The store of a workspace: `.trellis/trellis.db` under `root`.
    public static func path(inWorkspace root: String) -> String {
        (root as NSString).appendingPathComponent(".trellis/trellis.db")
    }

    private func prepare() async throws {
        _ = try await execute("PRAGMA journal_mode = WAL", [])
        _ = try await execute("PRAGMA synchronous = NORMAL", [])
        _ = try await execute("PRAGMA busy_timeout = 5000", [])
        try await transaction {
            _ = try await execute(
                "CREATE TABLE IF NOT EXISTS trellis_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", [])
            let rows = try await execute("SELECT value FROM trellis_meta WHERE key = 'schema_version'", [])
            if let stored = rows.first?.column("value")?.string.flatMap(Int.init) {
                guard stored <= Self.schemaVersion else {
                    throw SessionError.database(
                        path: path,
                        message:
                            "written by a newer trellis (store version \(stored), this one reads \(Self.schemaVersion))"
                    )
                }
            } else {
                _ = try await execute(
                    "INSERT INTO trellis_meta (key, value) VALUES ('schema_version', ?)",
                    [.text("\(Self.schemaVersion)")])
            }
            _ = try await execute(
                """
                CREATE TABLE IF NOT EXISTS sessions (
                    name TEXT PRIMARY KEY, agent TEXT NOT NULL, answering TEXT NOT NULL, status TEXT NOT NULL,
                    turns INTEGER NOT NULL, input_tokens INTEGER, output_tokens INTEGER, cost REAL,
                    messages INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL, state TEXT NOT NULL)
                """, [])
            _ = try await execute(
                """
                CREATE TABLE IF NOT EXISTS session_leases (
                    name TEXT PRIMARY KEY, pid INTEGER NOT NULL, started TEXT NOT NULL, since REAL NOT NULL)
                """, [])
        }
    }

    /// Closes the file; the leases this store holds are released first.
    public func close() async {
        for name in claimed { try? await release(name) }
        try? await connection.close()
    }

    /// Takes the session for this process until ``release(_:)`` (or the process ends).
    ///
    /// - Throws: ``SessionError/busy(name:pid:)`` when a live process holds it.
    public func claim(_ name: String) async throws(SessionError) {
        guard SessionError.isValidName(name) else { throw .invalidName(name) }
        let me = ProcessIdentity.current
        try await guarded {
            try await transaction {
                let rows = try await execute(
                    "SELECT pid, started FROM session_leases WHERE name = ?", [.text(name)])
                if let row = rows.first, let pid = row.column("pid")?.integer {
                    let owner = ProcessIdentity(pid: Int32(pid), start: row.column("started")?.string ?? "")
                    if owner != me, owner.isAlive { throw SessionError.busy(name: name, pid: owner.pid) }
                }
                _ = try await execute(
                    "INSERT OR REPLACE INTO session_leases (name, pid, started, since) VALUES (?, ?, ?, ?)",
                    [.text(name), .integer(Int(me.pid)), .text(me.start), .float(Date().timeIntervalSince1970)])
            }
        }
        claimed.insert(name)
    }

    /// Gives the session back.
    public func release(_ name: String) async throws(SessionError) {
        let me = ProcessIdentity.current
        try await guarded {
            _ = try await execute(
                "DELETE FROM session_leases WHERE name = ? AND pid = ? AND started = ?",
                [.text(name), .integer(Int(me.pid)), .text(me.start)])
        }
        claimed.remove(name)
        encodedTranscripts[name] = nil
    }

    /// Saves the conversation's state (the last committed step).
    ///
    /// - Parameters:
    ///   - agent: The agent the session is run with, as named on the command line.
    public func save(_ name: String, agent: String, state: RunState) async throws(SessionError) {
        let json: String
        do {
            json = try encoded(state, session: name)
        } catch {
            throw .database(path: path, message: "session '\(name)': the state cannot be written: \(error)")
        }
        let usage = state.allUsage
        let now = Date().timeIntervalSince1970
        try await guarded {
            _ = try await execute(
                """
                INSERT INTO sessions (name, agent, answering, status, turns, input_tokens, output_tokens, cost,
                    messages, created_at, updated_at, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET agent = excluded.agent, answering = excluded.answering,
                    status = excluded.status, turns = excluded.turns, input_tokens = excluded.input_tokens,
                    output_tokens = excluded.output_tokens, cost = excluded.cost, messages = excluded.messages,
                    updated_at = excluded.updated_at, state = excluded.state
                """,
                [
                    .text(name), .text(agent), .text(state.agent), .text(state.status.rawValue),
                    .integer(state.allTurns), usage.map { .integer($0.inputTokens) } ?? .null,
                    usage.map { .integer($0.outputTokens) } ?? .null, usage?.cost.map { .float($0) } ?? .null,
                    .integer(state.transcript.count), .float(now), .float(now), .text(json),
                ])
        }
    }

    /// The state's JSON, its transcript's messages encoded once each and kept for the next save.
    private func encoded(_ state: RunState, session name: String) throws -> String {
        var cache = encodedTranscripts[name] ?? RunStateJSON()
        defer { encodedTranscripts[name] = cache }
        return try cache.encode(state)
    }

    /// The session, or `nil` when there is none of that name.
    ///
    /// - Throws: ``SessionError/unreadable(name:reason:)`` when its state was written by another version or is
    ///   damaged.
    public func session(_ name: String) async throws(SessionError) -> StoredSession? {
        guard SessionError.isValidName(name) else { throw .invalidName(name) }
        let rows = try await guarded {
            try await execute("SELECT * FROM sessions WHERE name = ?", [.text(name)])
        }
        guard let row = rows.first else { return nil }
        let summary = Self.summary(row)
        let text = row.column("state")?.string ?? ""
        do {
            let state = try RunStateJSON.decode(text)
            return StoredSession(summary: summary, state: state)
        } catch let error as RunStateVersionError {
            throw .unreadable(name: name, reason: error.description)
        } catch {
            throw .unreadable(name: name, reason: "its state is not valid (\(error))")
        }
    }

    /// Every session, the one used last first.
    public func sessions() async throws(SessionError) -> [SessionSummary] {
        let rows = try await guarded {
            try await execute(
                """
                SELECT name, agent, answering, status, turns, input_tokens, output_tokens, cost, messages,
                    created_at, updated_at FROM sessions ORDER BY updated_at DESC, name
                """, [])
        }
        return rows.map(Self.summary)
    }

    /// Deletes a session; `false` when there was none of that name.
    ///
    /// - Throws: ``SessionError/busy(name:pid:)`` when a live process runs it.
    public func remove(_ name: String) async throws(SessionError) -> Bool {
        try await claim(name)
        defer { claimed.remove(name) }
        let removed = try await guarded {
            try await transaction {
                let rows = try await execute("SELECT name FROM sessions WHERE name = ?", [.text(name)])
                _ = try await execute("DELETE FROM sessions WHERE name = ?", [.text(name)])
                _ = try await execute("DELETE FROM session_leases WHERE name = ?", [.text(name)])
                return !rows.isEmpty
            }
        }
        return removed
    }

    private static func summary(_ row: SQLiteRow) -> SessionSummary {
        let input = row.column("input_tokens")?.integer
        let output = row.column("output_tokens")?.integer
        let usage: Usage? =
            input == nil && output == nil
            ? nil
            : Usage(
                inputTokens: Int(input ?? 0), outputTokens: Int(output ?? 0), cost: row.column("cost")?.double)
        return SessionSummary(
            name: row.column("name")?.string ?? "", agent: row.column("agent")?.string ?? "",
            answering: row.column("answering")?.string ?? "", turns: Int(row.column("turns")?.integer ?? 0),
            usage: usage, messages: Int(row.column("messages")?.integer ?? 0),
            status: RunState.Status(rawValue: row.column("status")?.string ?? "") ?? .finished,
            created: row.column("created_at")?.double ?? 0, updated: row.column("updated_at")?.double ?? 0)
    }

    /// Runs one statement. The future-based call is used on purpose: a save must finish even when the run that
    /// asked for it is being cancelled (Ctrl-C in a chat), or the step that records the cancellation is lost.
    private func execute(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        let rows: EventLoopFuture<[SQLiteRow]> = connection.query(sql, binds)
        return try await rows.get()
    }

    private func transaction<T>(_ body: () async throws -> T) async throws -> T {
        _ = try await execute("BEGIN IMMEDIATE", [])
        do {
            let value = try await body()
            _ = try await execute("COMMIT", [])
            return value
        } catch {
            _ = try? await execute("ROLLBACK", [])
            throw error
        }
    }

    /// Runs `body`, turning SQLite's errors into ``SessionError/database(path:message:)``.
    private func guarded<T>(_ body: () async throws -> T) async throws(SessionError) -> T {
        do {
            return try await body()
        } catch let error as SessionError {
            throw error
        } catch {
            throw .database(path: path, message: Self.message(error))
        }
    }

    private static func message(_ error: any Error) -> String {
        (error as? SQLiteError).map { "\($0.message)" } ?? "\(error)"
    }
}
