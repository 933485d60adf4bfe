import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TrellisCore
import TrellisRuntime

/// The runs API: queue a run, read it, follow its events, cancel it, answer its approvals, list runs.
struct RunsAPI: Sendable {
    let state: ServerState

    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    static let runIDHeader = HTTPField.Name("X-Trellis-Run-Id")!

    func register(on router: Hummingbird.Router<BasicRequestContext>) {
        router.post("/v1/runs") { request, _ in try await submit(request) }
        router.get("/v1/runs") { request, _ in try await list(request) }
        router.get("/v1/runs/:id") { _, context in try await show(try context.parameters.require("id")) }
        router.get("/v1/runs/:id/events") { request, context in
            try await events(try context.parameters.require("id"), request: request)
        }
        router.post("/v1/runs/:id/cancel") { _, context in try await cancel(try context.parameters.require("id")) }
        router.post("/v1/runs/:id/approvals") { request, context in
            try await approve(try context.parameters.require("id"), request: request)
        }
    }

    private func submit(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.json(limit: state.configuration.bodyLimit)
        guard let object = body.objectValue else { throw APIError.invalid("the body must be a JSON object") }
        guard let agent = object["agent"]?.stringValue, !agent.isEmpty else {
            throw APIError.invalid("'agent' is required: the name of an agent of the workspace", param: "agent")
        }
        var session: String?
        switch object["session"] {
        case nil, .null?: session = nil
        case .string(let name)?: session = name
        default: throw APIError.invalid("'session' must be a string", param: "session")
        }
        var runRequest = JSONObject()
        for key in ["input", "messages", "params", "stream"] { runRequest[key] = object[key] }
        for member in object.members
        where !["agent", "session", "input", "messages", "params", "stream"].contains(member.key) {
            throw APIError.invalid(
                "unknown field '\(member.key)'; a run takes agent, input (or messages), params, session, stream",
                param: member.key)
        }
        let key = request.headers[Self.idempotencyKey]
        let (run, created) = try await state.submit(
            agent: agent, request: .object(runRequest), session: session, idempotencyKey: key,
            unknownAgentCode: "agent_not_found")
        var headers: HTTPFields = [.location: "/v1/runs/\(run.id)"]
        headers[Self.runIDHeader] = run.id
        if !created { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return JSONResponse.make(
            ["id": .string(run.id), "object": "run", "status": .string(run.status.rawValue)], status: .accepted,
            headers: headers)
    }

    private func show(_ id: String) async throws -> Response {
        guard let run = try await state.store.run(id) else { throw APIError.runNotFound(id) }
        return JSONResponse.make(ServerState.json(run))
    }

    private func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = RunFilter()
        if let status = query.get("status") {
            guard let value = RunStatus(rawValue: status) else {
                throw APIError.invalid(
                    "status '\(status)' is not one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                    param: "status")
            }
            filter.status = value
        }
        filter.agent = query.get("agent")
        if let limit = query.get("limit") {
            guard let value = Int(limit), (1...1000).contains(value) else {
                throw APIError.invalid("limit must be a number from 1 to 1000", param: "limit")
            }
            filter.limit = value
        }
        filter.cursor = query.get("cursor")
        if let cursor = filter.cursor, Int(cursor) == nil {
            throw APIError.invalid("cursor '\(cursor)' is not one this server gave", param: "cursor")
        }
        let page = try await state.store.runs(filter)
        return JSONResponse.make([
            "object": "list", "data": .array(page.runs.map(ServerState.json)),
            "next_cursor": page.next.map(JSONValue.string) ?? .null,
        ])
    }

    private func cancel(_ id: String) async throws -> Response {
        let before = try await state.store.run(id)
        guard let run = try await state.store.cancel(id) else { throw APIError.runNotFound(id) }
        if run.status == .running {
            state.worker.cancel(id)
        } else if let before, !before.status.isFinal, run.status == .cancelled {
            state.hub.publish(id, try await state.store.events(of: id, after: before.lastSequence, limit: 10))
        }
        return JSONResponse.make(ServerState.json(run), status: run.status == .running ? .accepted : .ok)
    }

    private func approve(_ id: String, request: Request) async throws -> Response {
        var request = request
        let body = try await request.json(limit: state.configuration.bodyLimit)
        guard let decisions = body["decisions"]?.objectValue, !decisions.isEmpty else {
            throw APIError.invalid(
                #"the body must be {"decisions": {"CALL_ID": "approve" | "deny"}}"#, param: "decisions")
        }
        var parsed: [String: ToolApprovalDecision] = [:]
        for (callID, value) in decisions.members {
            guard let text = value.stringValue, let decision = ToolApprovalDecision(rawValue: text),
                decision != .pending
            else {
                throw APIError.invalid(
                    "decisions.\(callID) must be \"approve\" or \"deny\"", param: "decisions.\(callID)")
            }
            parsed[callID] = decision
        }
        do {
            let run = try await state.store.decide(id, decisions: parsed)
            state.worker.wake()
            return JSONResponse.make(ServerState.json(run))
        } catch RunStoreError.notFound {
            throw APIError.runNotFound(id)
        } catch RunStoreError.conflict(_, let message) {
            throw APIError(.conflict, code: "not_waiting_approval", message: "run '\(id)': \(message)")
        }
    }

    /// `text/event-stream` of the run's events: each with `id:` (its sequence number), `event:` and `data:`. It
    /// starts after `Last-Event-ID` (or `?after=`), and ends after `run.finished`.
    private func events(_ id: String, request: Request) async throws -> Response {
        guard try await state.store.run(id) != nil else { throw APIError.runNotFound(id) }
        let header = request.headers[Self.lastEventID] ?? request.uri.queryParameters.get("after")
        let after: Int
        if let header {
            guard let value = Int(header.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw APIError.invalid("Last-Event-ID must be an event's id (a number), not '\(header)'")
            }
            after = value
        } else {
            after = 0
        }
        let follower = state.follower
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        headers[Self.runIDHeader] = id
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await follower.follow(
                    id, after: after, idle: { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                ) {
                    event in
                    try await writer.write(ByteBuffer(string: SSE.event(event)))
                }
                try await writer.finish(nil)
            })
    }
}

/// Server-sent events.
enum SSE {
    /// One event: `id`, `event` and a one-line `data`.
    static func event(_ event: RunEventRecord) -> String {
        "id: \(event.sequence)\nevent: \(event.type)\ndata: \(event.data.serialized())\n\n"
    }

    /// A `data:` line alone (OpenAI's streaming chunks).
    static func data(_ text: String) -> String { "data: \(text)\n\n" }
}
