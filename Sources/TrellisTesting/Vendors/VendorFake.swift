import TrellisCore

/// What a fake vendor should answer, independent of its wire format: text, tool calls, or both, with token
/// counts. Each ``VendorFake`` renders it in its vendor's exact bytes.
public struct FakeReply: Sendable, Hashable {
    /// One tool call the fake model makes.
    public struct Call: Sendable, Hashable {
        /// The tool's name.
        public var name: String
        /// The arguments as JSON text.
        public var arguments: String

        /// Creates a call.
        public init(_ name: String, _ arguments: String) {
            self.name = name
            self.arguments = arguments
        }
    }

    /// The answer text.
    public var text: String
    /// The tool calls.
    public var calls: [Call]
    /// Reasoning text, for vendors that report it.
    public var reasoning: String?
    /// Prompt tokens reported.
    public var inputTokens: Int
    /// Completion tokens reported.
    public var outputTokens: Int
    /// A cut-off reply (`length`, `max_tokens`, `ALTERNATIVE_STATUS_TRUNCATED_FINAL`).
    public var truncated: Bool

    /// Creates a reply.
    public init(
        text: String = "", calls: [Call] = [], reasoning: String? = nil, inputTokens: Int = 20, outputTokens: Int = 5,
        truncated: Bool = false
    ) {
        self.text = text
        self.calls = calls
        self.reasoning = reasoning
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.truncated = truncated
    }

    /// A plain answer.
    public static func text(_ text: String, inputTokens: Int = 20, outputTokens: Int = 5) -> FakeReply {
        FakeReply(text: text, inputTokens: inputTokens, outputTokens: outputTokens)
    }

    /// A turn that asks for tool calls.
    public static func calls(_ calls: Call..., inputTokens: Int = 20, outputTokens: Int = 5) -> FakeReply {
        FakeReply(calls: calls, inputTokens: inputTokens, outputTokens: outputTokens)
    }
}

/// A vendor's HTTP API, reproduced for tests on a ``FakeVendorServer``: it checks requests as the vendor does
/// (authentication headers) and renders ``FakeReply``s and errors in the vendor's exact bytes.
///
/// ```swift
/// try await FakeVendorServer.withServer { server in
///     OpenAIFake.install(on: server, key: "sk-test")
///     server.enqueue(OpenAIFake.reply(.calls(.init("clock", #"{"timezone":"UTC"}"#)), stream: false))
///     ...
/// }
/// ```
public protocol VendorFake: SendableMetatype {
    /// The base URL an adapter should be configured with for this server.
    static func baseURL(of server: FakeVendorServer) -> String

    /// Makes the server refuse requests the vendor would refuse (missing or wrong key, missing required header),
    /// with the vendor's status and error body.
    static func install(on server: FakeVendorServer, key: String)

    /// A reply in the vendor's format, streamed when the request asked for a stream.
    static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse

    /// An error in the vendor's format; `retryAfter` adds a `Retry-After` header (seconds).
    static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse
}

extension VendorFake {
    /// Queues the replies a well-behaved model gives to `trellis provider check`'s battery: a greeting, a
    /// `get_weather` call and an answer once its result is back, then two parallel calls, plain and streamed.
    public static func enqueueCheckBattery(on server: FakeVendorServer) {
        let kazan = FakeReply.Call("get_weather", #"{"city":"Kazan"}"#)
        let perm = FakeReply.Call("get_weather", #"{"city":"Perm"}"#)
        server.enqueue(
            reply(.text("Hello there, friend."), stream: false),
            reply(.calls(kazan), stream: false),
            reply(.text("Snow in Kazan, -3 °C."), stream: false),
            reply(.calls(kazan, perm), stream: false),
            reply(.calls(kazan, perm), stream: true))
    }
}
