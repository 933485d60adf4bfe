import TrellisCore

/// A vLLM OpenAI-compatible server (PROVIDERS §3, seed 003): `POST /v1/chat/completions`; with `--api-key` it
/// answers a missing or wrong bearer with 401 `{"error":"Unauthorized"}`.
///
/// Replies add vLLM's fields: `tool_calls: []` on plain answers, `logprobs` and `stop_reason` per choice,
/// top-level `prompt_logprobs`. Tool turns end with `finish_reason: "stop"`, as vLLM does with a forced tool choice.
/// Errors use the newer `{"error":{...}}` shape; ``oldError(status:message:type:)`` gives the older one.
public enum VLLMFake: VendorFake {
    /// The served model's name, echoed in replies.
    public static let model = "meta-llama/Llama-3.2-11B-Vision-Instruct"

    public static func baseURL(of server: FakeVendorServer) -> String { server.baseURL }

    public static func install(on server: FakeVendorServer, key: String) {
        server.gate { request in
            guard request.header("Authorization") == "Bearer \(key)" else {
                return .json(#"{"error":"Unauthorized"}"#, status: 401)
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
                "message": .string(message), "type": .string(errorType(status)), "param": nil,
                "code": .integer(status),
            ]
        ]
        return .json(
            body.serialized(), status: status,
            headers: retryAfter.map { [HTTPHeaderField(name: "Retry-After", value: String($0))] } ?? [])
    }

    /// The error body of older vLLM releases: `{"object":"error","message",...,"code":<status>}`.
    public static func oldError(status: Int, message: String, type: String? = nil) -> FakeResponse {
        let body: JSONValue = [
            "object": "error", "message": .string(message), "type": .string(type ?? errorType(status)),
            "param": nil, "code": .integer(status),
        ]
        return .json(body.serialized(), status: status)
    }

    /// The 400 a server started without `--enable-auto-tool-choice` gives for `tool_choice: auto`.
    public static let autoToolChoiceMessage =
        #""auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set"#

    static func errorType(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequestError"
        case 404: return "NotFoundError"
        default: return status >= 500 ? "InternalServerError" : "Error"
        }
    }

    /// The finish value: `stop` for tool turns too.
    static func finishReason(_ reply: FakeReply) -> String { reply.truncated ? "length" : "stop" }

    /// A non-streamed body: OpenAI's, with vLLM's id, model and extra fields.
    public static func body(_ reply: FakeReply) -> String {
        OpenAIFake.edit(OpenAIFake.body(reply)) { object in
            object["id"] = "chat-16f60a42606142c38ce95c4513f379e7"
            object["model"] = .string(model)
            OpenAIFake.editChoice(&object) { choice in
                if var message = choice["message"]?.objectValue, message["tool_calls"] == nil {
                    message["tool_calls"] = []
                    choice["message"] = .object(message)
                }
                choice["logprobs"] = .null
                choice["finish_reason"] = .string(finishReason(reply))
                choice["stop_reason"] = .null
            }
            object["prompt_logprobs"] = .null
        }
    }

    /// The SSE chunks of a streamed reply: OpenAI's, with vLLM's model, `logprobs`, `stop_reason` and finish value.
    public static func chunks(_ reply: FakeReply) -> [String] {
        OpenAIFake.editChunks(OpenAIFake.chunks(reply)) { object in
            object["id"] = "chat-16f60a42606142c38ce95c4513f379e7"
            object["model"] = .string(model)
            OpenAIFake.editChoice(&object) { choice in
                choice["logprobs"] = .null
                if choice["finish_reason"]?.isNull == false {
                    choice["finish_reason"] = .string(finishReason(reply))
                    choice["stop_reason"] = .null
                }
            }
            return true
        }
    }
}
