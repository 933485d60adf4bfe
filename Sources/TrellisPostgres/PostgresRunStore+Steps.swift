import Foundation
import Logging
import PostgresNIO
import Synchronization
import TrellisCore
import TrellisRuntime

/// The steps of running runs: fenced by their claim, group-committed, each step's state and events in one
/// transaction.
extension PostgresRunStore {
    // MARK: Steps of running runs

    public func record(_ claim: RunClaim, events: [RunEventRecord], state: RunState?) async throws {
        let json = try state.map { try encode($0, run: claim.runID) }
        try await groups.write(Step(claim: claim, events: events, state: json, ending: nil)) { await apply($0) }
    }

    public func finish(
        _ claim: RunClaim, status: RunStatus, result: JSONValue?, state: RunState?, events: [RunEventRecord]
    ) async throws {
        let json = try state.map { try encode($0, run: claim.runID) }
        let pending = status == .waitingApproval ? try RunRecords.pendingJSON(state) : nil
        if status != .waitingApproval { encoders.withLock { $0[claim.runID] = nil } }
        let step = Step(
            claim: claim, events: events, state: json,
            ending: Ending(status: status, result: result?.serialized(), pending: pending))
        try await groups.write(step) { await apply($0) }
    }

    public func release(_ claim: RunClaim) async throws {
        encoders.withLock { $0[claim.runID] = nil }
        try await transaction { connection in
            let released = try await self.first(
                connection,
                PostgresQuery(
                    unsafeSQL: """
                        UPDATE trellis_runs SET status = 'queued', worker = NULL, lease_until = NULL,
                            updated_at = \(Self.now)
                        WHERE id = $1 AND attempt = $2 AND worker = $3 AND status = 'running' RETURNING *
                        """, binds: Self.binds(claim.runID, claim.attempt, claim.worker)))
            if released != nil { try await self.notify(connection, "queued") }
        }
    }

    private func encode(_ state: RunState, run id: String) throws -> String {
        var encoder = encoders.withLock { $0[id] } ?? RunStateJSON()
        let text = try encoder.encode(state)
        encoders.withLock { $0[id] = encoder }
        return text
    }

    /// A claim as the fence of a write: the run, the attempt and the worker.
    private struct Fence: Hashable {
        var run: String
        var attempt: Int
        var worker: String
    }

    /// Writes a group of steps in one transaction; a step whose claim is no longer the run's is refused alone.
    private func apply(_ group: [Step]) async -> [Result<Void, any Error>] {
        do {
            return try await transaction { connection in
                let accepted = try await self.advance(connection, group.filter { $0.ending == nil })
                var outcomes: [Result<Void, any Error>] = []
                var events: [(String, RunEventRecord)] = []
                var queued = false
                for step in group {
                    let claim = step.claim
                    let written: Bool
                    if let ending = step.ending {
                        written = try await self.end(connection, step, ending)
                        queued = queued || (written && claim.run.session != nil)
                    } else {
                        written = accepted.contains(
                            Fence(run: claim.runID, attempt: claim.attempt, worker: claim.worker))
                    }
                    if written {
                        outcomes.append(.success(()))
                        events += step.events.map { (claim.runID, $0) }
                    } else {
                        outcomes.append(.failure(RunStoreError.leaseLost(runID: claim.runID)))
                    }
                }
                try await self.insert(connection, events)
                var last: [String: Int] = [:]
                for (run, event) in events { last[run] = max(last[run] ?? 0, event.sequence) }
                if !last.isEmpty {
                    let runs = last.keys.sorted()
                    try await connection.query(
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT pg_notify('\(Self.channel)', 'events ' || id || ' ' || seq)
                                FROM unnest($1::text[], $2::bigint[]) AS t(id, seq)
                                """, binds: Self.binds(runs, runs.map { last[$0] ?? 0 })),
                        logger: self.logger)
                }
                // A session's next run may be claimed now.
                if queued { try await self.notify(connection, "queued") }
                return outcomes
            }
        } catch {
            let failure = PostgresStoreError.store(error)
            return group.map { _ in .failure(failure) }
        }
    }

    /// Moves each claimed run to its newest state and event number in one statement; the fences whose run was
    /// updated.
    private func advance(_ connection: PostgresConnection, _ steps: [Step]) async throws -> Set<Fence> {
        guard !steps.isEmpty else { return [] }
        var order: [Fence] = []
        var latest: [Fence: (state: String?, sequence: Int?)] = [:]
        for step in steps {
            let fence = Fence(run: step.claim.runID, attempt: step.claim.attempt, worker: step.claim.worker)
            var entry = latest[fence] ?? (nil, nil)
            if latest[fence] == nil { order.append(fence) }
            if let state = step.state { entry.state = state }
            if let last = step.events.last?.sequence { entry.sequence = last }
            latest[fence] = entry
        }
        let entries = order.map { latest[$0] ?? (nil, nil) }
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE trellis_runs AS r SET
                        state = CASE WHEN v.has_state THEN v.state ELSE r.state END,
                        last_seq = CASE WHEN v.seq >= 0 THEN v.seq ELSE r.last_seq END,
                        updated_at = \(Self.now)
                    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::boolean[], $5::text[], $6::bigint[])
                        AS v(id, attempt, worker, has_state, state, seq)
                    WHERE r.id = v.id AND r.attempt = v.attempt AND r.worker = v.worker AND r.status = 'running'
                    RETURNING r.id, r.attempt, r.worker
                    """,
                binds: Self.binds(
                    order.map(\.run), order.map(\.attempt), order.map(\.worker), entries.map { $0.state != nil },
                    entries.map { $0.state ?? "" }, entries.map { $0.sequence ?? -1 })),
            logger: logger)
        var accepted: Set<Fence> = []
        for try await (run, attempt, worker) in rows.decode((String, Int, String).self) {
            accepted.insert(Fence(run: run, attempt: attempt, worker: worker))
        }
        return accepted
    }

    /// Ends one claimed run; `false` when the claim is no longer the run's.
    private func end(_ connection: PostgresConnection, _ step: Step, _ ending: Ending) async throws -> Bool {
        let claim = step.claim
        let status = ending.status.rawValue
        let updated = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE trellis_runs SET status = $1, result = COALESCE($2, result), state = COALESCE($3, state),
                        pending = $4, decisions = CASE WHEN $1 = 'waiting_approval' THEN decisions END,
                        worker = NULL, lease_until = NULL, last_seq = COALESCE($5, last_seq),
                        finished_at = CASE WHEN $1 IN ('succeeded', 'failed', 'cancelled') THEN \(Self.now) END,
                        updated_at = \(Self.now)
                    WHERE id = $6 AND attempt = $7 AND worker = $8 AND status = 'running' RETURNING id
                    """,
                binds: Self.binds(
                    status, ending.result, step.state, ending.pending, step.events.last?.sequence, claim.runID,
                    claim.attempt, claim.worker)),
            logger: logger
        ).collect()
        return !updated.isEmpty
    }

    /// Inserts events in one statement.
    func insert(_ connection: PostgresConnection, _ events: [(String, RunEventRecord)]) async throws {
        guard !events.isEmpty else { return }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO trellis_run_events (run_id, seq, type, data)
                    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
                    ON CONFLICT DO NOTHING
                    """,
                binds: Self.binds(
                    events.map(\.0), events.map(\.1.sequence), events.map(\.1.type),
                    events.map { $0.1.data.serialized() })),
            logger: logger)
    }
}
