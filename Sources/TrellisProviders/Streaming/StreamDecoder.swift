import NIOCore
import TrellisCore

/// Turns the bytes of one streamed reply into ``ModelEvent``s, for one wire format (OpenAI SSE, Yandex NDJSON,
/// Anthropic typed SSE, Ollama NDJSON).
///
/// ``ProviderHTTPClient/eventStream(_:body:accept:retry:decodeError:decoder:)`` drives it: bytes go to
/// ``feed(_:)`` as they arrive; once ``isDone`` the reply is assembled with ``response()`` and the rest of the body
/// is drained; a body that ends first goes to ``finish()``.
protocol StreamDecoder: Sendable {
    /// Feeds body bytes and returns the events they complete.
    ///
    /// - Throws: ``ProviderError`` for an error event or a chunk that cannot be read.
    mutating func feed(_ bytes: ByteBufferView) throws -> [ModelEvent]

    /// The body ended: returns the events still buffered.
    ///
    /// - Throws: ``ProviderError/truncatedStream(provider:message:)`` when the reply's terminal marker never came.
    mutating func finish() throws -> [ModelEvent]

    /// Caps each line or event of the reply at `bytes` (``ReplyLimits/maxLineBytes`` until told otherwise).
    mutating func limitLines(to bytes: Int)

    /// Whether the reply's terminal marker (`[DONE]`, a final status, `message_stop`, `done: true`) was seen.
    var isDone: Bool { get }

    /// The whole reply, assembled from everything fed so far.
    func response() -> ModelResponse
}
