import TrellisCore

/// Ollama's native chat API as it behaves (PROVIDERS §8): `POST /api/chat` at the server's root, no
/// authentication unless a key is installed, one JSON object for `stream: false` and NDJSON lines otherwise; tool
/// calls come whole with arguments as objects and no ids, and the final line says `done_reason: "stop"` even on a
/// tool-call turn, as real Ollama does. Errors are `{"error":"..."}`.
public enum OllamaFake: VendorFake {
    /// The model the fake says answered.
    public static let model = "llama3.2"
    /// The timestamp of every object.
    public static let createdAt = "2025-01-01T10:00:00.123456Z"

    public static func baseURL(of server: FakeVendorServer) -> String { server.origin }

    /// Without a key Ollama checks nothing; with one (a proxy or Ollama Cloud) a bearer token is required.
    public static func install(on server: FakeVendorServer, key: String) {
        guard !key.isEmpty else { return }
        server.gate { request in
            guard request.header("Authorization") == "Bearer \(key)" else {
                return .json(#"{"error":"unauthorized"}"#, status: 401)
            }
            return nil
        }
    }

    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        guard stream else { return .json(body(reply)) }
        return FakeResponse(
            headers: [HTTPHeaderField(name: "Content-Type", value: "application/x-ndjson")], chunks: lines(reply))
    }

    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        .json(
            errorBody(message), status: status,
            headers: retryAfter.map { [HTTPHeaderField(name: "Retry-After", value: String($0))] } ?? [])
    }

    /// `{"error":"<message>"}`, the body of an error status and the line of a failed stream.
    public static func errorBody(_ message: String) -> String {
        JSONValue.object(["error": .string(message)]).serialized()
    }

    static func doneReason(_ reply: FakeReply) -> String { reply.truncated ? "length" : "stop" }

    static func message(content: String, thinking: String? = nil, calls: [FakeReply.Call] = []) -> JSONValue {
        var message: JSONObject = ["role": "assistant", "content": .string(content)]
        if let thinking { message["thinking"] = .string(thinking) }
        if !calls.isEmpty {
            message["tool_calls"] = .array(
                calls.map { call in
                    let arguments = (try? JSONValue.parse(call.arguments)) ?? .object(JSONObject())
                    return ["function": ["name": .string(call.name), "arguments": arguments]]
                })
        }
        return .object(message)
    }

    static func object(_ message: JSONValue, done: FakeReply?) -> JSONValue {
        var object: JSONObject = ["model": .string(model), "created_at": .string(createdAt), "message": message]
        guard let done else {
            object["done"] = false
            return .object(object)
        }
        object["done_reason"] = .string(doneReason(done))
        object["done"] = true
        object["total_duration"] = 5_589_157_167
        object["load_duration"] = 3_013_701_500
        object["prompt_eval_count"] = .integer(done.inputTokens)
        object["prompt_eval_duration"] = 1_160_282_000
        object["eval_count"] = .integer(done.outputTokens)
        object["eval_duration"] = 1_325_948_000
        return .object(object)
    }

    /// The non-streamed body: the whole message with the final counts.
    public static func body(_ reply: FakeReply) -> String {
        object(message(content: reply.text, thinking: reply.reasoning, calls: reply.calls), done: reply).serialized()
    }

    /// The NDJSON lines of a streamed reply: thinking and text each in two delta lines, every tool call whole on
    /// one line, then the done line with an empty message.
    public static func lines(_ reply: FakeReply) -> [String] {
        func line(_ value: JSONValue) -> String { value.serialized() + "\n" }
        func halves(_ text: String) -> [String] {
            let middle = text.index(text.startIndex, offsetBy: text.count / 2)
            return [String(text[..<middle]), String(text[middle...])]
        }
        var lines: [String] = []
        if let reasoning = reply.reasoning {
            lines += halves(reasoning).map { line(object(message(content: "", thinking: $0), done: nil)) }
        }
        if !reply.text.isEmpty {
            lines += halves(reply.text).map { line(object(message(content: $0), done: nil)) }
        }
        if !reply.calls.isEmpty { lines.append(line(object(message(content: "", calls: reply.calls), done: nil))) }
        lines.append(line(object(message(content: ""), done: reply)))
        return lines
    }
}
