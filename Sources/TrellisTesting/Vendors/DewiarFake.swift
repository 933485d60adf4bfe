import TrellisCore

/// Dewiar's unified API (PROVIDERS §5, seed 002): one endpoint, `POST /API/api`, `Authorization: Bearer`.
///
/// Replies are the upstream's `chat.completion` plus a `billing` block; streams are minimal chunks
/// (`{"choices":[{"delta":{...}}]}`, no `id`/`object`/`model`, no usage chunk), then `event: billing_update` with the
/// billing block, then `data: [DONE]`. Errors are undocumented: a third-party client treats short plain-text
/// bodies (`api key missing`, `invalid_api_key`) as failures, so authentication failures are plain text, and
/// other errors `{"error":"<message>"}` (an inference).
public enum DewiarFake: VendorFake {
    /// The path of the one endpoint.
    public static let path = "/API/api"

    /// The balance every reply reports.
    public static let balance = 9.94

    public static func baseURL(of server: FakeVendorServer) -> String { server.origin + path }

    public static func install(on server: FakeVendorServer, key: String) {
        server.gate { request in
            guard request.path == path else { return .text("Not Found", status: 404) }
            guard let authorization = request.header("Authorization"), !authorization.isEmpty else {
                return .text("api key missing", status: 401)
            }
            guard authorization == "Bearer \(key)" else { return .text("invalid_api_key", status: 401) }
            return nil
        }
    }

    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        stream ? .eventStream(chunks(reply)) : .json(body(reply))
    }

    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        .json(
            JSONValue.object(["error": .string(message)]).serialized(), status: status,
            headers: retryAfter.map { [HTTPHeaderField(name: "Retry-After", value: String($0))] } ?? [])
    }

    /// What a reply costs: 1e-7 per token.
    public static func cost(_ reply: FakeReply) -> Double { Double(reply.inputTokens + reply.outputTokens) * 1e-7 }

    /// The `billing` block of a reply.
    public static func billing(_ reply: FakeReply, usingOwnKey: Bool = false) -> JSONValue {
        [
            "request_cost": .number(cost(reply)), "balance_remaining": .number(balance),
            "using_own_key": .bool(usingOwnKey),
        ]
    }

    /// A non-streamed body: OpenAI's, with the upstream model name and the billing block.
    public static func body(_ reply: FakeReply, usingOwnKey: Bool = false) -> String {
        OpenAIFake.edit(OpenAIFake.body(reply)) { object in
            object["model"] = "gemma3:27b"
            object["billing"] = billing(reply, usingOwnKey: usingOwnKey)
        }
    }

    /// The SSE chunks of a streamed reply: OpenAI's deltas stripped to `{"choices":[{"delta":...}]}` (the finish
    /// reason on the last one), without the role and usage chunks, then the billing event and `[DONE]`.
    public static func chunks(_ reply: FakeReply, usingOwnKey: Bool = false) -> [String] {
        var chunks = OpenAIFake.editChunks(OpenAIFake.chunks(reply)) { object in
            guard let choice = object["choices"]?.arrayValue?.first, let delta = choice["delta"],
                delta["role"] == nil
            else { return false }
            var minimal: JSONObject = ["delta": delta]
            if let finish = choice["finish_reason"], !finish.isNull { minimal["finish_reason"] = finish }
            object = ["choices": [.object(minimal)]]
            return true
        }
        let event: JSONValue = ["billing": billing(reply, usingOwnKey: usingOwnKey)]
        chunks.insert("event: billing_update\ndata: \(event.serialized())\n\n", at: chunks.count - 1)
        return chunks
    }
}
