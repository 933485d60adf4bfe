import Foundation
import SQLiteNIO
import TrellisCore

/// Approvals, cancellation, and reading runs and events (on the reader connection).
extension SQLiteRunStore {
    // MARK: Approvals and cancellation

    public func decide(_ runID: String, decisions: [String: ToolApprovalDecision]) async throws -> StoredRun {
        try await transaction {
            guard let row = try await write("SELECT * FROM runs WHERE id = ?", [.text(runID)]).first else {
                throw RunStoreError.notFound(runID: runID)
            }
            let run = try Self.run(row)
            let text = try RunRecords.merged(decisions, into: run)
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
                let ending = RunRecords.cancelled(run)
                let rows = try await write(
                    """
                    UPDATE runs SET status = 'cancelled', result = ?, pending = NULL, finished_at = ?, updated_at = ?,
                        last_seq = ? WHERE id = ? RETURNING *
                    """,
                    [
                        .text(ending.result.serialized()), .float(now), .float(now), .integer(ending.event.sequence),
                        .text(runID),
                    ])
                try await insert([(runID, ending.event)])
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

    public func sessionState(_ session: String) async throws -> SessionContinuation? {
        try await guarded {
            let row = try await read(
                """
                SELECT agent, id, state FROM runs WHERE session = ? AND state IS NOT NULL
                    AND status IN ('succeeded', 'failed', 'cancelled')
                ORDER BY rowid DESC LIMIT 1
                """, [.text(session)]
            ).first
            guard let row, let agent = row.column("agent")?.string,
                let state = try RunRecords.state(row.column("state")?.string, runID: row.column("id")?.string ?? "")
            else { return nil }
            return SessionContinuation(agent: agent, state: state)
        }
    }
}
