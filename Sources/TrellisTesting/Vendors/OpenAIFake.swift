import TrellisCore

/// OpenAI Chat Completions as documented (PROVIDERS §1): `POST /v1/chat/completions`, `Authorization: Bearer`,
/// `chat.completion` bodies, and SSE streams whose tool calls arrive in fragments by index, with a usage chunk
/// (`choices: []`) before `data: [DONE]`.
public enum OpenAIFake: VendorFake {
    public static func baseURL(of server: FakeVendorServer) -> String { server.baseURL }

    public static func install(on server: FakeVendorServer, key: String) {
        server.gate { request in
            guard request.header("Authorization") == "Bearer \(key)" else {
                return .json(
                    #"{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
                    status: 401)
            }
            return nil
        }
    }

    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        stream ? .eventStream(chunks(reply)) : .json(body(reply))
    }

    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        let body: JSONValue = [
            "error": [
                "message": .string(message), "type": status == 429 ? "requests" : "server_error", "param": nil,
                "code": status == 429 ? "rate_limit_exceeded" : nil,
            ]
        ]
        return .json(
            body.serialized(), status: status,
            headers: retryAfter.map { [HTTPHeaderField(name: "retry-after", value: String($0))] } ?? [])
    }

    static func finishReason(_ reply: FakeReply) -> String {
        reply.truncated ? "length" : reply.calls.isEmpty ? "stop" : "tool_calls"
    }

    static func usage(_ reply: FakeReply) -> JSONValue {
        [
            "prompt_tokens": .integer(reply.inputTokens), "completion_tokens": .integer(reply.outputTokens),
            "total_tokens": .integer(reply.inputTokens + reply.outputTokens),
        ]
    }

    /// A non-streamed `chat.completion` body.
    public static func body(_ reply: FakeReply) -> String {
        var message: JSONObject = ["role": "assistant", "content": reply.text.isEmpty ? .null : .string(reply.text)]
        if !reply.calls.isEmpty {
            message["tool_calls"] = .array(
                reply.calls.enumerated().map { index, call in
                    [
                        "id": .string("call_\(index + 1)"), "type": "function",
                        "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                    ]
                })
        }
        if let reasoning = reply.reasoning { message["reasoning_content"] = .string(reasoning) }
        let body: JSONValue = [
            "id": "chatcmpl-fake1", "object": "chat.completion", "created": 1_735_689_600, "model": "fake-model",
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(finishReason(reply))]],
            "usage": usage(reply),
        ]
        return body.serialized()
    }

    /// The SSE chunks of a streamed reply: the role, text in two pieces, each call's id and name and then its
    /// arguments in two fragments, the finish reason, usage, `[DONE]`.
    public static func chunks(_ reply: FakeReply) -> [String] {
        func chunk(_ delta: JSONValue, finish: String? = nil) -> String {
            let body: JSONValue = [
                "id": "chatcmpl-fake1", "object": "chat.completion.chunk", "created": 1_735_689_600,
                "model": "fake-model",
                "choices": [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]],
            ]
            return "data: \(body.serialized())\n\n"
        }
        var chunks = [chunk(["role": "assistant", "content": ""])]
        if let reasoning = reply.reasoning { chunks.append(chunk(["reasoning_content": .string(reasoning)])) }
        if !reply.text.isEmpty {
            let middle = reply.text.index(reply.text.startIndex, offsetBy: reply.text.count / 2)
            chunks.append(chunk(["content": .string(String(reply.text[..<middle]))]))
            chunks.append(chunk(["content": .string(String(reply.text[middle...]))]))
        }
        for (index, call) in reply.calls.enumerated() {
            chunks.append(
                chunk([
                    "tool_calls": [
                        [
                            "index": .integer(index), "id": .string("call_\(index + 1)"), "type": "function",
                            "function": ["name": .string(call.name), "arguments": ""],
                        ]
                    ]
                ]))
            let middle = call.arguments.index(call.arguments.startIndex, offsetBy: call.arguments.count / 2)
            for piece in [call.arguments[..<middle], call.arguments[middle...]] {
                let fragment: JSONValue = ["index": .integer(index), "function": ["arguments": .string(String(piece))]]
                chunks.append(chunk(["tool_calls": [fragment]]))
            }
        }
        chunks.append(chunk([:], finish: finishReason(reply)))
        let usageChunk: JSONValue = [
            "id": "chatcmpl-fake1", "object": "chat.completion.chunk", "created": 1_735_689_600, "model": "fake-model",
            "choices": [], "usage": usage(reply),
        ]
        chunks.append("data: \(usageChunk.serialized())\n\n")
        chunks.append("data: [DONE]\n\n")
        return chunks
    }
}

/// Helpers for fakes of OpenAI-compatible vendors, which render OpenAI's bytes and then adjust them.
extension OpenAIFake {
    /// `body` (a JSON object) with `change` applied; bodies that are not objects are returned unchanged.
    static func edit(_ body: String, _ change: (inout JSONObject) -> Void) -> String {
        guard var object = (try? JSONValue.parse(body))?.objectValue else { return body }
        change(&object)
        return JSONValue.object(object).serialized()
    }

    /// Applies `change` to `choices[0]` of a body or chunk object, if it has one.
    static func editChoice(_ object: inout JSONObject, _ change: (inout JSONObject) -> Void) {
        guard var choices = object["choices"]?.arrayValue, var choice = choices.first?.objectValue else { return }
        change(&choice)
        choices[0] = .object(choice)
        object["choices"] = .array(choices)
    }

    /// Rewrites each `data: {...}` chunk with `change`, dropping those for which it returns `false`; `[DONE]` and
    /// anything else are kept as they are.
    static func editChunks(_ chunks: [String], _ change: (inout JSONObject) -> Bool) -> [String] {
        chunks.compactMap { chunk in
            guard chunk.hasPrefix("data: {"), chunk.hasSuffix("\n\n") else { return chunk }
            let json = String(chunk.dropFirst("data: ".count).dropLast(2))
            guard var object = (try? JSONValue.parse(json))?.objectValue else { return chunk }
            guard change(&object) else { return nil }
            return "data: \(JSONValue.object(object).serialized())\n\n"
        }
    }
}
