import Foundation
import HTTPTypes
import Logging
import TrellisConfig
import TrellisCore
import TrellisRuntime

/// What the API's handlers share: the store, the worker, the agents and the settings.
final class ServerState: Sendable {
    let configuration: ServerConfiguration
    let store: any RunStore
    let hub: RunEventHub
    let worker: RunWorker
    let host: WorkspaceHost
    let metrics: ServerMetrics
    let logger: Logger

    init(
        configuration: ServerConfiguration, store: any RunStore, hub: RunEventHub, worker: RunWorker,
        host: WorkspaceHost, metrics: ServerMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.hub = hub
        self.worker = worker
        self.host = host
        self.metrics = metrics
        self.logger = logger
    }

    var follower: RunFollower { RunFollower(store: store, hub: hub) }

    /// The agents, by name, in name order.
    var agentNames: [String] { host.workspace.agents.map(\.definition.name).sorted() }

    /// Queues a run of `agent`; 404 for an unknown agent, 400 for a request the worker could not read, 429 when the
    /// queue is full, 409 when the idempotency key was used for another request.
    func submit(
        agent: String, request: JSONValue, session: String?, idempotencyKey: String?, unknownAgentCode: String
    ) async throws -> (run: StoredRun, created: Bool) {
        guard host.workspace.agents.contains(where: { $0.definition.name == agent }) else {
            let names = agentNames
            throw APIError(
                .notFound, code: unknownAgentCode,
                message:
                    "no agent '\(agent)'\(Suggestions.hint(for: agent, in: names)); agents: "
                    + (names.isEmpty ? "none" : names.joined(separator: ", ")),
                param: unknownAgentCode == "model_not_found" ? "model" : "agent")
        }
        let parsed: RunRequest
        do {
            parsed = try RunRequest(request)
            _ = try host.definition(named: agent, params: parsed.params)
        } catch let error as RunRequestError {
            throw APIError.invalid(error.message)
        } catch let error as WorkspaceSetupError {
            throw APIError.invalid(error.message, param: "params")
        }
        if let session, !SessionError.isValidName(session) {
            throw APIError.invalid(SessionError.invalidName(session).description, param: "session")
        }
        let submission = RunSubmission(
            agent: agent, request: request, session: session, idempotencyKey: idempotencyKey,
            maxAttempts: configuration.maxAttempts)
        let outcome: (run: StoredRun, created: Bool)
        do {
            outcome = try await store.submit(submission, maxQueued: configuration.queueLimit)
        } catch RunStoreError.queueFull(let queued) {
            var error = APIError(
                .tooManyRequests, type: "rate_limit_error", code: "queue_full",
                message: "the run queue is full (\(queued) runs queued); retry after \(configuration.retryAfter) s")
            error.headers[.retryAfter] = "\(configuration.retryAfter)"
            throw error
        }
        if !outcome.created,
            outcome.run.agent != agent || outcome.run.request != request
                || outcome.run.session != session
        {
            throw APIError(
                .conflict, code: "idempotency_conflict",
                message:
                    "Idempotency-Key '\(idempotencyKey ?? "")' was used for another request (run \(outcome.run.id)); "
                    + "use a new key for a new run", param: "Idempotency-Key")
        }
        if outcome.created { worker.wake() }
        return outcome
    }

    /// A run's JSON as `GET /v1/runs/{id}` returns it.
    static func json(_ run: StoredRun) -> JSONValue {
        var object: JSONObject = [
            "id": .string(run.id), "object": "run", "agent": .string(run.agent), "status": .string(run.status.rawValue),
            "session": run.session.map(JSONValue.string) ?? .null, "attempt": .integer(run.attempt),
            "created_at": .number(run.created), "started_at": run.started.map(JSONValue.number) ?? .null,
            "finished_at": run.finished.map(JSONValue.number) ?? .null, "last_event_id": .integer(run.lastSequence),
            "result": run.result ?? .null,
        ]
        object["pending_approvals"] =
            run.status == .waitingApproval ? .array(run.pendingCalls.map(RunWorker.json)) : .null
        return .object(object)
    }
}
