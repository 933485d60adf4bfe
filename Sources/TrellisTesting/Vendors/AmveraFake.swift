import Synchronization
import TrellisCore

/// Amvera LLM Inference as documented and observed (PROVIDERS §7): `POST /api/v1/models/<route>` behind Kong,
/// `X-Auth-Token: Bearer <token>` (a key in `Authorization` is refused), Yandex-shaped replies with string counters
/// on the llama, deepseek and qwen routes, OpenAI-shaped replies whose message carries `text` on the gpt route, and
/// no streaming.
///
/// ```swift
/// AmveraFake.install(on: server, key: "amvera-token")
/// AmveraFake.serve([.text("Привет!"), .calls(.init("clock", "{}"))], on: server)   // rendered per request path
/// ```
public enum AmveraFake: VendorFake {
    public static func baseURL(of server: FakeVendorServer) -> String { server.origin + "/api/v1" }

    /// Refuses requests without `X-Auth-Token: Bearer <key>` with a 401; the body is Yandex-shaped, as observed
    /// when the token was sent in `Authorization`.
    public static func install(on server: FakeVendorServer, key: String) {
        server.gate { request in
            guard request.header("X-Auth-Token") == "Bearer \(key)" else {
                let body: JSONValue = [
                    "result": [
                        "alternatives": [
                            [
                                "message": ["role": "assistant", "text": "Unauthorized"],
                                "status": "ALTERNATIVE_STATUS_FINAL",
                            ]
                        ]
                    ]
                ]
                return .json(body.serialized(), status: 401)
            }
            return nil
        }
    }

    /// The llama route's reply; Amvera never streams, so `stream` changes nothing.
    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        self.reply(reply, route: "llama")
    }

    /// A reply as the route answers: OpenAI-shaped with `message.text` for `gpt`, Yandex-shaped otherwise.
    public static func reply(_ reply: FakeReply, route: String) -> FakeResponse {
        .json(route == "gpt" ? gptBody(reply) : YandexFake.body(reply))
    }

    /// Answers each request that the queue does not with the next of `replies`, rendered for the route in the
    /// request's path (`/api/v1/models/gpt` → OpenAI shape); a 500 once they run out.
    public static func serve(_ replies: [FakeReply], on server: FakeVendorServer) {
        let queue = ReplyQueue(replies)
        server.respond { request in
            guard let reply = queue.next() else { return error(status: 500, message: "no reply left", retryAfter: nil) }
            let route = request.path.split(separator: "/").last.map(String.init) ?? ""
            return self.reply(reply, route: route)
        }
    }

    /// An error; Amvera does not document its error bodies, so this is the gateway's `{"message": ...}`.
    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        let body: JSONValue = ["message": .string(message)]
        return .json(
            body.serialized(), status: status,
            headers: retryAfter.map { [HTTPHeaderField(name: "retry-after", value: String($0))] } ?? [])
    }

    /// The gpt route's body: OpenAI's `chat.completion` with the message text under `text`.
    public static func gptBody(_ reply: FakeReply) -> String {
        guard case .object(var body)? = try? JSONValue.parse(OpenAIFake.body(reply)),
            case .object(var choice)? = body["choices"]?.arrayValue?.first,
            let message = choice["message"]?.objectValue
        else { return OpenAIFake.body(reply) }
        choice["message"] = .object(
            JSONObject(message.members.map { ($0.key == "content" ? "text" : $0.key, $0.value) }))
        body["choices"] = [.object(choice)]
        return JSONValue.object(body).serialized()
    }

    /// The replies ``serve(_:on:)`` hands out, one per request.
    private final class ReplyQueue: Sendable {
        private let replies: Mutex<[FakeReply]>

        init(_ replies: [FakeReply]) { self.replies = Mutex(replies) }

        func next() -> FakeReply? {
            replies.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }
    }
}
