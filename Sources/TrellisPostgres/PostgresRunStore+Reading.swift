import Foundation
import Logging
import PostgresNIO
import TrellisCore
import TrellisRuntime

/// Approvals, cancellation, reading runs and events, and watching for changes made by other processes.
extension PostgresRunStore {
    // MARK: Approvals and cancellation

    public func decide(_ runID: String, decisions: [String: ToolApprovalDecision]) async throws -> StoredRun {
        try await transaction { connection in
            guard
                let run = try await self.first(
                    connection, "SELECT * FROM trellis_runs WHERE id = \(runID) FOR UPDATE")
            else { throw RunStoreError.notFound(runID: runID) }
            let text = try RunRecords.merged(decisions, into: run)
            let updated = try await self.first(
                connection,
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE trellis_runs SET status = 'queued', decisions = $1, updated_at = \(Self.now)
                        WHERE id = $2 RETURNING *
                        """, binds: Self.binds(text, runID)))
            try await self.notify(connection, "queued")
            return updated ?? run
        }
    }

    public func cancel(_ runID: String) async throws -> StoredRun? {
        try await transaction { connection in
            guard
                let run = try await self.first(
                    connection, "SELECT * FROM trellis_runs WHERE id = \(runID) FOR UPDATE")
            else { return StoredRun?.none }
            switch run.status {
            case .queued, .waitingApproval:
                let ending = RunRecords.cancelled(run)
                let updated = try await self.first(
                    connection,
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE trellis_runs SET status = 'cancelled', result = $1, pending = NULL,
                                finished_at = \(Self.now), updated_at = \(Self.now), last_seq = $2
                            WHERE id = $3 RETURNING *
                            """, binds: Self.binds(ending.result.serialized(), ending.event.sequence, runID)))
                try await self.insert(connection, [(runID, ending.event)])
                try await self.notify(connection, "events \(runID) \(ending.event.sequence)")
                if run.session != nil { try await self.notify(connection, "queued") }
                return updated
            case .running:
                let updated = try await self.first(
                    connection,
                    PostgresQuery(
                        unsafeSQL: """
                            UPDATE trellis_runs SET cancel_requested = true, updated_at = \(Self.now)
                            WHERE id = $1 RETURNING *
                            """, binds: Self.binds(runID)))
                try await self.notify(connection, "cancel \(runID)")
                return updated
            case .succeeded, .failed, .cancelled:
                return run
            }
        }
    }

    // MARK: Reading

    public func run(_ runID: String) async throws -> StoredRun? {
        try await guarded {
            try await client.withConnection { connection in
                try await self.first(connection, "SELECT * FROM trellis_runs WHERE id = \(runID)")
            }
        }
    }

    public func runs(_ filter: RunFilter) async throws -> RunPage {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let status = filter.status {
            binds.append(status.rawValue)
            conditions.append("status = $\(binds.count)")
        }
        if let agent = filter.agent {
            binds.append(agent)
            conditions.append("agent = $\(binds.count)")
        }
        if let cursor = filter.cursor {
            guard let position = Int(cursor) else { throw RunStoreError.conflict(runID: "", message: "bad cursor") }
            binds.append(position)
            conditions.append("position < $\(binds.count)")
        }
        let limit = max(1, min(filter.limit, 1000))
        binds.append(limit + 1)
        let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM trellis_runs \(clause) ORDER BY position DESC LIMIT $\(binds.count)"
        return try await guarded {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
            let page = try rows.prefix(limit).map { try Self.run($0.makeRandomAccess()) }
            let next =
                rows.count > limit
                ? try rows[limit - 1].makeRandomAccess()["position"].decode(Int.self) : nil
            return RunPage(runs: page, next: next.map(String.init))
        }
    }

    public func events(of runID: String, after sequence: Int, limit: Int) async throws -> [RunEventRecord] {
        try await guarded {
            let rows = try await client.query(
                """
                SELECT seq, type, data FROM trellis_run_events WHERE run_id = \(runID) AND seq > \(sequence)
                ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            var events: [RunEventRecord] = []
            for try await (seq, type, data) in rows.decode((Int, String, String).self) {
                events.append(
                    RunEventRecord(sequence: seq, type: type, data: (try? JSONValue.parse(data)) ?? .null))
            }
            return events
        }
    }

    public func counts() async throws -> [RunStatus: Int] {
        try await guarded {
            let rows = try await client.query(
                "SELECT status, count(*)::bigint FROM trellis_runs GROUP BY status", logger: logger)
            var counts: [RunStatus: Int] = [:]
            for try await (status, count) in rows.decode((String, Int).self) {
                if let status = RunStatus(rawValue: status) { counts[status] = count }
            }
            return counts
        }
    }

    public func sessionState(_ session: String) async throws -> SessionContinuation? {
        try await guarded {
            let rows = try await client.query(
                """
                SELECT agent, id, state FROM trellis_runs WHERE session = \(session) AND state IS NOT NULL
                    AND status IN ('succeeded', 'failed', 'cancelled')
                ORDER BY position DESC LIMIT 1
                """, logger: logger)
            for try await (agent, id, text) in rows.decode((String, String, String).self) {
                guard let state = try RunRecords.state(text, runID: id) else { return nil }
                return SessionContinuation(agent: agent, state: state)
            }
            return nil
        }
    }

    // MARK: Watching

    public func watch(_ handle: @escaping @Sendable (RunStoreChange) async -> Void) async throws {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        // Something may have been queued while nobody listened.
                        await handle(.queued)
                        for try await notification in notifications {
                            if let change = Self.change(notification.payload) { await handle(change) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                let failure = PostgresStoreError.store(error, at: location)
                logger.warning("listening for run changes failed (\(failure)); polling until it works again")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// A NOTIFY payload: `queued`, `events RUN SEQ`, `cancel RUN`.
    private static func change(_ payload: String) -> RunStoreChange? {
        let parts = payload.split(separator: " ")
        switch (parts.first, parts.count) {
        case ("queued", 1): return .queued
        case ("events", 3): return Int(parts[2]).map { .events(runID: String(parts[1]), last: $0) }
        case ("cancel", 2): return .cancelRequested(runID: String(parts[1]))
        default: return nil
        }
    }
}
