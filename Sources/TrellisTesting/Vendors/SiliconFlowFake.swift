import TrellisCore

/// SiliconFlow's OpenAI-compatible API (PROVIDERS §4, seed 004): `POST /v1/chat/completions`,
/// `Authorization: Bearer`.
///
/// Plain answers finish with `eos`, reasoning models add `reasoning_content`, and errors are
/// `{"code":<int>,"message":"...","data":null}` (the documented 400 is code 20012; other statuses' codes are not
/// documented, so the fake uses the HTTP status). A bad key gets 401 with the bare JSON string `"Invalid token"`,
/// as users report (chatbox#2573).
public enum SiliconFlowFake: VendorFake {
    public static func baseURL(of server: FakeVendorServer) -> String { server.baseURL }

    public static func install(on server: FakeVendorServer, key: String) {
        server.gate { request in
            guard request.header("Authorization") == "Bearer \(key)" else {
                return .json(#""Invalid token""#, status: 401)
            }
            return nil
        }
    }

    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        stream ? .eventStream(chunks(reply)) : .json(body(reply))
    }

    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        error(status: status, code: status == 400 ? 20012 : status, message: message, retryAfter: retryAfter)
    }

    /// An error with an explicit vendor code.
    public static func error(status: Int, code: Int, message: String, retryAfter: Int? = nil) -> FakeResponse {
        let body: JSONValue = ["code": .integer(code), "message": .string(message), "data": nil]
        return .json(
            body.serialized(), status: status,
            headers: retryAfter.map { [HTTPHeaderField(name: "Retry-After", value: String($0))] } ?? [])
    }

    /// The finish value: `eos` where OpenAI says `stop`.
    static func finishReason(_ reply: FakeReply) -> String {
        let reason = OpenAIFake.finishReason(reply)
        return reason == "stop" ? "eos" : reason
    }

    /// A non-streamed body: OpenAI's, with the model id, `system_fingerprint` and SiliconFlow's finish value.
    public static func body(_ reply: FakeReply) -> String {
        OpenAIFake.edit(OpenAIFake.body(reply)) { object in
            object["model"] = "Qwen/Qwen2.5-72B-Instruct"
            object["system_fingerprint"] = ""
            OpenAIFake.editChoice(&object) { $0["finish_reason"] = .string(finishReason(reply)) }
        }
    }

    /// The SSE chunks of a streamed reply: OpenAI's, with SiliconFlow's model id and finish value.
    public static func chunks(_ reply: FakeReply) -> [String] {
        OpenAIFake.editChunks(OpenAIFake.chunks(reply)) { object in
            object["model"] = "Qwen/Qwen2.5-72B-Instruct"
            OpenAIFake.editChoice(&object) { choice in
                if choice["finish_reason"]?.isNull == false { choice["finish_reason"] = .string(finishReason(reply)) }
            }
            return true
        }
    }
}
