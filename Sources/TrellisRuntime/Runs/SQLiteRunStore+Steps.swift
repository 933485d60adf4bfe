import Foundation
import SQLiteNIO
import TrellisCore

/// The steps of running runs: fenced by their claim, group-committed, a group in one transaction.
extension SQLiteRunStore {
    // MARK: Steps of running runs

    public func record(_ claim: RunClaim, events: [RunEventRecord], state: RunState?) async throws {
        let json = try state.map { try encode($0, run: claim.runID) }
        try await commit(Step(claim: claim, events: events, state: json, ending: nil))
    }

    public func finish(
        _ claim: RunClaim, status: RunStatus, result: JSONValue?, state: RunState?, events: [RunEventRecord]
    ) async throws {
        let json = try state.map { try encode($0, run: claim.runID) }
        let pending = status == .waitingApproval ? try RunRecords.pendingJSON(state) : nil
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
        try await groups.write(step) { group in await apply(group) }
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
    func end(
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
    func insert(_ events: [(String, RunEventRecord)]) async throws {
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
}
