import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TrellisCore
import TrellisRuntime

/// The OpenAI-compatible endpoint: `GET /v1/models` lists the agents, `POST /v1/chat/completions` runs the agent
/// named by `model` on the messages, with the tool loop on the server, and answers in OpenAI's shape
/// (`chat.completion`, or `chat.completion.chunk` events and `[DONE]` with `stream: true`).
///
/// A completion is a run like any other: it is queued, checkpointed and survives a crash; its id is in the
/// `X-Trellis-Run-Id` header, and a client that goes away does not cancel it.
struct ChatCompletionsAPI: Sendable {
    let state: ServerState

    /// Request fields that are OpenAI's but mean nothing for an agent, whose model settings are its own.
    static let ignored: Set<String> = [
        "temperature", "top_p", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
        "user", "seed", "stop", "logit_bias", "logprobs", "top_logprobs", "metadata", "store", "parallel_tool_calls",
        "response_format", "reasoning_effort", "service_tier", "tool_choice",
    ]

    /// The events that end a completion: the run's end, or its parking for approval (answered 409).
    static let ends: Set<String> = ["run.finished", "approval.required"]

    func register(on router: Hummingbird.Router<BasicRequestContext>) {
        router.get("/v1/models") { _, _ in models() }
        router.get("/v1/models/:id") { _, context in try model(try context.parameters.require("id")) }
        router.post("/v1/chat/completions") { request, _ in try await complete(request) }
    }

    private func models() -> Response {
        JSONResponse.make(["object": "list", "data": .array(state.agentNames.map(Self.model(named:)))])
    }

    private func model(_ id: String) throws -> Response {
        guard state.agentNames.contains(id) else {
            throw APIError(.notFound, code: "model_not_found", message: "no agent '\(id)'", param: "model")
        }
        return JSONResponse.make(Self.model(named: id))
    }

    private static func model(named name: String) -> JSONValue {
        ["id": .string(name), "object": "model", "created": 0, "owned_by": "trellis"]
    }

    private func complete(_ request: Request) async throws -> Response {
        var request = request
        let body = try await request.json(limit: state.configuration.bodyLimit)
        guard let object = body.objectValue else { throw APIError.invalid("the body must be a JSON object") }
        guard let model = object["model"]?.stringValue, !model.isEmpty else {
            throw APIError.invalid("'model' is required: the name of an agent (GET /v1/models)", param: "model")
        }
        guard let messages = object["messages"], messages.arrayValue?.isEmpty == false else {
            throw APIError.invalid("'messages' must be a non-empty array", param: "messages")
        }
        if let tools = object["tools"]?.arrayValue, !tools.isEmpty {
            throw APIError.invalid(
                "'tools' cannot be given: agent '\(model)' has its own tools, and runs them on the server",
                param: "tools")
        }
        if let n = object["n"]?.intValue, n != 1 { throw APIError.invalid("'n' must be 1", param: "n") }
        let known: Set<String> = ["model", "messages", "stream", "stream_options", "tools", "n"]
        for member in object.members where !known.contains(member.key) && !Self.ignored.contains(member.key) {
            throw APIError.invalid("unknown parameter '\(member.key)'", param: member.key)
        }
        let stream: Bool
        switch object["stream"] {
        case nil, .null?: stream = false
        case .bool(let value)?: stream = value
        default: throw APIError.invalid("'stream' must be true or false", param: "stream")
        }
        let includeUsage = object["stream_options"]?["include_usage"]?.boolValue ?? false
        let (run, _) = try await state.submit(
            agent: model, request: ["messages": messages, "stream": .bool(stream)], session: nil, idempotencyKey: nil,
            unknownAgentCode: "model_not_found")
        let completion = Completion(id: "chatcmpl-" + run.id.dropFirst(4), model: model, created: Int(run.created))
        var headers: HTTPFields = [:]
        headers[RunsAPI.runIDHeader] = run.id
        if stream {
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            let follower = state.follower
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: SSE.data(completion.chunk(role: true).serialized())))
                    try await follower.follow(
                        run.id, after: 0,
                        idle: {
                            try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        }
                    ) { event in
                        switch event.type {
                        case "text.delta":
                            let text = event.data["text"]?.stringValue ?? ""
                            try await writer.write(
                                ByteBuffer(string: SSE.data(completion.chunk(text: text).serialized())))
                        case "run.finished", "approval.required":
                            for chunk in Self.ending(
                                event, completion: completion, includeUsage: includeUsage, runID: run.id)
                            {
                                try await writer.write(ByteBuffer(string: SSE.data(chunk.serialized())))
                            }
                            try await writer.write(ByteBuffer(string: SSE.data("[DONE]")))
                        default:
                            break
                        }
                    }
                    try await writer.finish(nil)
                })
        }
        var finished: RunEventRecord?
        try await state.follower.follow(run.id, after: 0, endingAt: Self.ends) { event in
            if Self.ends.contains(event.type) { finished = event }
        }
        guard let finished else {
            throw APIError(
                .internalServerError, type: "server_error", code: "run_lost", message: "the run ended without a result")
        }
        if let error = Self.failure(finished, runID: run.id) {
            var error = error
            for field in headers { error.headers.append(field) }
            throw error
        }
        return JSONResponse.make(completion.message(finished.data["result"] ?? .null), headers: headers)
    }

    /// The last chunks of a stream: the finish reason, then the usage when asked for; or an error.
    private static func ending(
        _ event: RunEventRecord, completion: Completion, includeUsage: Bool, runID: String
    ) -> [JSONValue] {
        if let error = failure(event, runID: runID) { return [error.json] }
        let result = event.data["result"] ?? .null
        var chunks = [completion.chunk(finishReason: Completion.finishReason(result))]
        if includeUsage { chunks.append(completion.usageChunk(result)) }
        return chunks
    }

    /// The error a run that did not answer becomes: the provider's failure is 502, a timeout 504, a parked run 409.
    private static func failure(_ event: RunEventRecord, runID: String) -> APIError? {
        let status = event.data["status"]?.stringValue
        let result = event.data["result"] ?? .null
        let reason =
            event.type == "approval.required" ? "waiting_approval" : result["finish_reason"]?.stringValue ?? "error"
        if status == RunStatus.succeeded.rawValue || reason == "length" || reason == "content_filter" { return nil }
        let code = result["error"]?["code"]?.stringValue ?? reason
        let message = result["error"]?["message"]?.stringValue ?? "the run ended with \(reason)"
        switch reason {
        case "waiting_approval":
            return APIError(
                .conflict, code: "approval_required",
                message:
                    "run \(runID) waits for approval of its tool calls: answer POST /v1/runs/\(runID)/approvals, then "
                    + "read the result at GET /v1/runs/\(runID)")
        case "error":
            return APIError(.badGateway, type: "server_error", code: code, message: message)
        case "timeout":
            return APIError(.gatewayTimeout, type: "server_error", code: code, message: message)
        default:
            return APIError(.internalServerError, type: "server_error", code: code, message: message)
        }
    }
}

/// One completion's fixed fields and the shapes of its body and chunks.
struct Completion: Sendable {
    let id: String
    let model: String
    let created: Int

    init(id: some StringProtocol, model: String, created: Int) {
        self.id = String(id)
        self.model = model
        self.created = created
    }

    /// OpenAI's finish reason for a run's result.
    static func finishReason(_ result: JSONValue) -> String {
        switch result["finish_reason"]?.stringValue {
        case "length", "max_tokens": "length"
        case "content_filter": "content_filter"
        default: "stop"
        }
    }

    static func usage(_ result: JSONValue) -> JSONValue {
        let usage = result["usage"]
        let input = usage?["input_tokens"]?.intValue ?? 0
        let output = usage?["output_tokens"]?.intValue ?? 0
        return [
            "prompt_tokens": .integer(input), "completion_tokens": .integer(output),
            "total_tokens": .integer(input + output),
        ]
    }

    /// The `chat.completion` body.
    func message(_ result: JSONValue) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion", "created": .integer(created), "model": .string(model),
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": result["output"] ?? "", "refusal": .null],
                    "logprobs": .null, "finish_reason": .string(Self.finishReason(result)),
                ]
            ],
            "usage": Self.usage(result), "system_fingerprint": .null,
        ]
    }

    private func chunk(delta: JSONValue, finishReason: String?) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(created),
            "model": .string(model), "system_fingerprint": .null,
            "choices": [
                [
                    "index": 0, "delta": delta, "logprobs": .null,
                    "finish_reason": finishReason.map(JSONValue.string) ?? .null,
                ]
            ],
        ]
    }

    /// The first chunk: the role.
    func chunk(role: Bool) -> JSONValue { chunk(delta: ["role": "assistant", "content": ""], finishReason: nil) }

    /// A piece of text.
    func chunk(text: String) -> JSONValue { chunk(delta: ["content": .string(text)], finishReason: nil) }

    /// The chunk that ends the choice.
    func chunk(finishReason: String) -> JSONValue { chunk(delta: [:], finishReason: finishReason) }

    /// The usage chunk (`stream_options.include_usage`): no choices.
    func usageChunk(_ result: JSONValue) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .integer(created),
            "model": .string(model), "system_fingerprint": .null, "choices": [], "usage": Self.usage(result),
        ]
    }
}
