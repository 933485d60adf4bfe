import TrellisCore

/// Anthropic's Messages API as documented (PROVIDERS §9): `POST /v1/messages` with `x-api-key` and
/// `anthropic-version`, `message` bodies with content blocks, and typed SSE streams (`message_start`,
/// `content_block_*`, `ping`, `message_delta`, `message_stop`); errors as `{"type":"error","error":{...}}`.
public enum AnthropicFake: VendorFake {
    /// The model the fake says answered.
    public static let model = "claude-sonnet-4-5-20250929"
    /// The id of every fake message.
    public static let messageID = "msg_01XFDUDYJgAACzvnptvVoYEL"

    public static func baseURL(of server: FakeVendorServer) -> String { server.baseURL }

    public static func install(on server: FakeVendorServer, key: String) {
        server.gate { request in
            guard let sent = request.header("x-api-key") else {
                return errorResponse(status: 401, type: "authentication_error", message: "x-api-key header is required")
            }
            guard sent == key else {
                return errorResponse(status: 401, type: "authentication_error", message: "invalid x-api-key")
            }
            guard request.header("anthropic-version") != nil else {
                return errorResponse(
                    status: 400, type: "invalid_request_error", message: "anthropic-version: header is required")
            }
            return nil
        }
    }

    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        stream ? .eventStream(events(reply)) : .json(body(reply))
    }

    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        errorResponse(
            status: status, type: errorType(status: status), message: message,
            headers: retryAfter.map { [HTTPHeaderField(name: "retry-after", value: String($0))] } ?? [])
    }

    /// The `error.type` Anthropic sends with `status`.
    public static func errorType(status: Int) -> String {
        switch status {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 429: return "rate_limit_error"
        case 529: return "overloaded_error"
        default: return "api_error"
        }
    }

    /// An error body of the given type.
    public static func errorBody(type: String, message: String) -> String {
        let body: JSONValue = [
            "type": "error", "error": ["type": .string(type), "message": .string(message)],
            "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
        ]
        return body.serialized()
    }

    static func errorResponse(status: Int, type: String, message: String, headers: [HTTPHeaderField] = [])
        -> FakeResponse
    {
        .json(errorBody(type: type, message: message), status: status, headers: headers)
    }

    /// The `event: error` an overloaded stream ends with.
    public static func errorEvent(type: String = "overloaded_error", message: String = "Overloaded") -> String {
        let body: JSONValue = ["type": "error", "error": ["type": .string(type), "message": .string(message)]]
        return "event: error\ndata: \(body.serialized())\n\n"
    }

    /// The id of the call at `index`.
    public static func callID(_ index: Int) -> String { "toolu_01FakeCall\(index + 1)" }

    static func stopReason(_ reply: FakeReply) -> String {
        reply.truncated ? "max_tokens" : reply.calls.isEmpty ? "end_turn" : "tool_use"
    }

    static func input(_ arguments: String) -> JSONValue {
        (try? JSONValue.parse(arguments)) ?? .object(JSONObject())
    }

    static func usage(input: Int, output: Int) -> JSONValue {
        [
            "input_tokens": .integer(input), "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "output_tokens": .integer(output), "service_tier": "standard",
        ]
    }

    /// A non-streamed `message` body: a thinking block, a text block, then one `tool_use` block per call.
    public static func body(_ reply: FakeReply) -> String {
        var content: [JSONValue] = []
        if let reasoning = reply.reasoning {
            content.append(["type": "thinking", "thinking": .string(reasoning), "signature": "EqQBCgIYAhIM1gbcDa9"])
        }
        if !reply.text.isEmpty { content.append(["type": "text", "text": .string(reply.text)]) }
        for (index, call) in reply.calls.enumerated() {
            content.append([
                "type": "tool_use", "id": .string(callID(index)), "name": .string(call.name),
                "input": input(call.arguments),
            ])
        }
        let body: JSONValue = [
            "id": .string(messageID), "type": "message", "role": "assistant", "model": .string(model),
            "content": .array(content), "stop_reason": .string(stopReason(reply)), "stop_sequence": nil,
            "usage": usage(input: reply.inputTokens, output: reply.outputTokens),
        ]
        return body.serialized()
    }

    /// The SSE events of a streamed reply: `message_start`, a `ping`, each block (thinking, text in two
    /// `text_delta`s, each call with an empty and then two `partial_json` pieces), `message_delta`, `message_stop`.
    public static func events(_ reply: FakeReply) -> [String] {
        func event(_ body: JSONValue) -> String {
            "event: \(body["type"]?.stringValue ?? "")\ndata: \(body.serialized())\n\n"
        }
        func halves(_ text: String) -> [String] {
            let middle = text.index(text.startIndex, offsetBy: text.count / 2)
            return [String(text[..<middle]), String(text[middle...])]
        }
        var events = [
            event([
                "type": "message_start",
                "message": [
                    "id": .string(messageID), "type": "message", "role": "assistant", "model": .string(model),
                    "content": [], "stop_reason": nil, "stop_sequence": nil,
                    "usage": usage(input: reply.inputTokens, output: 1),
                ],
            ])
        ]
        var block = 0
        func add(start: JSONValue, deltas: [JSONValue]) {
            events.append(event(["type": "content_block_start", "index": .integer(block), "content_block": start]))
            if block == 0 { events.append(event(["type": "ping"])) }
            for delta in deltas {
                events.append(event(["type": "content_block_delta", "index": .integer(block), "delta": delta]))
            }
            events.append(event(["type": "content_block_stop", "index": .integer(block)]))
            block += 1
        }
        if let reasoning = reply.reasoning {
            add(
                start: ["type": "thinking", "thinking": "", "signature": ""],
                deltas: halves(reasoning).map { ["type": "thinking_delta", "thinking": .string($0)] }
                    + [["type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9"]])
        }
        if !reply.text.isEmpty {
            add(
                start: ["type": "text", "text": ""],
                deltas: halves(reply.text).map { ["type": "text_delta", "text": .string($0)] })
        }
        for (index, call) in reply.calls.enumerated() {
            let json = input(call.arguments).serialized()
            add(
                start: ["type": "tool_use", "id": .string(callID(index)), "name": .string(call.name), "input": [:]],
                deltas: ([""] + halves(json)).map { ["type": "input_json_delta", "partial_json": .string($0)] })
        }
        events.append(
            event([
                "type": "message_delta",
                "delta": ["stop_reason": .string(stopReason(reply)), "stop_sequence": nil],
                "usage": ["output_tokens": .integer(reply.outputTokens)],
            ]))
        events.append(event(["type": "message_stop"]))
        return events
    }
}
