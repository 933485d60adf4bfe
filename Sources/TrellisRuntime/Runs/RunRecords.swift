import Foundation
import TrellisCore

/// What every run store writes the same way: the JSON of stored columns, and the results and events of runs the
/// store itself ends (a cancelled queued run, a run out of attempts).
package enum RunRecords {
    /// The JSON text of the calls a state waits on for approval; `nil` when it waits on none.
    package static func pendingJSON(_ state: RunState?) throws -> String? {
        guard let batch = state?.batch else { return nil }
        let calls = batch.filter { $0.phase == .approval }.map(\.call)
        return String(decoding: try RunStateJSON.encoder.encode(calls), as: UTF8.self)
    }

    /// The JSON text of approval decisions.
    package static func decisionsJSON(_ decisions: [String: ToolApprovalDecision]) throws -> String {
        String(decoding: try RunStateJSON.encoder.encode(decisions), as: UTF8.self)
    }

    /// The decisions of a run waiting for approval merged with new ones, as stored JSON text.
    ///
    /// - Throws: ``RunStoreError/conflict(runID:message:)`` when the run is not waiting for approval or a call id
    ///   is not one of its pending calls.
    package static func merged(_ decisions: [String: ToolApprovalDecision], into run: StoredRun) throws -> String {
        guard run.status == .waitingApproval else {
            throw RunStoreError.conflict(runID: run.id, message: "it is \(run.status.rawValue), not waiting_approval")
        }
        let pending = Set(run.pendingCalls.map(\.id))
        for id in decisions.keys.sorted() where !pending.contains(id) {
            throw RunStoreError.conflict(
                runID: run.id,
                message: "no pending call '\(id)'; pending: \(pending.sorted().joined(separator: ", "))")
        }
        return try decisionsJSON(run.decisions.merging(decisions) { $1 })
    }

    /// A stored run's state, or a ``RunStoreError/conflict(runID:message:)`` naming the run when it cannot be read.
    package static func state(_ text: String?, runID: String) throws -> RunState? {
        guard let text else { return nil }
        do {
            return try RunStateJSON.decode(text)
        } catch {
            throw RunStoreError.conflict(runID: runID, message: "its state cannot be read: \(error)")
        }
    }

    /// Stored pending calls.
    package static func pending(_ text: String?) -> [ToolCall] {
        text.flatMap { try? JSONDecoder().decode([ToolCall].self, from: Data($0.utf8)) } ?? []
    }

    /// Stored approval decisions.
    package static func decisions(_ text: String?) -> [String: ToolApprovalDecision] {
        text.flatMap { try? JSONDecoder().decode([String: ToolApprovalDecision].self, from: Data($0.utf8)) } ?? [:]
    }

    /// A stored JSON column.
    package static func json(_ text: String?) -> JSONValue? { text.flatMap { try? JSONValue.parse($0) } }

    /// A run's ending that the store writes itself, and its `run.finished` event.
    package struct Ending: Sendable {
        /// The run's status afterwards.
        package var status: RunStatus
        /// The result, in the `--json` shape.
        package var result: JSONValue
        /// The `run.finished` event, numbered after the run's last.
        package var event: RunEventRecord
    }

    /// The ending of a run cut short as many times as it may be attempted: `failed`, `attempts_exhausted`.
    package static func exhausted(_ run: StoredRun, interruptions: Int) -> Ending {
        ending(
            run, .failed, finishReason: .error,
            error: RunError(
                code: "attempts_exhausted",
                message:
                    "the run was attempted \(interruptions) times and each attempt was cut short (its worker stopped "
                    + "or lost its lease); it may be attempted \(run.maxAttempts) times"))
    }

    /// The ending of a run cancelled while no worker ran it.
    package static func cancelled(_ run: StoredRun) -> Ending {
        ending(
            run, .cancelled, finishReason: .cancelled,
            error: RunError(code: "cancelled", message: "the run was cancelled"))
    }

    private static func ending(
        _ run: StoredRun, _ status: RunStatus, finishReason: RunFinishReason, error: RunError
    ) -> Ending {
        var result =
            run.state?.result
            ?? RunResult(
                agent: run.agent, output: "", finishReason: .error, route: nil, turns: 0, toolCalls: [], usage: nil,
                error: nil, transcript: [])
        result.finishReason = finishReason
        result.error = error
        let json = result.json
        return Ending(
            status: status, result: json,
            event: RunEventRecord(
                sequence: run.lastSequence + 1, type: "run.finished",
                data: ["status": .string(status.rawValue), "result": json]))
    }
}
