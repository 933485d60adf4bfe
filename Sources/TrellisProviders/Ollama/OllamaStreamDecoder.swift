import NIOCore
import TrellisCore

/// Ollama's NDJSON stream: one object per line, done at the line with `done: true`; a line with an `error` key
/// fails the stream, and a body that ends before the done line is truncated.
struct OllamaStreamDecoder: StreamDecoder {
    let provider: String
    private var lines = LineSplitter()
    private var accumulator: OllamaChatAccumulator

    init(provider: String) {
        self.provider = provider
        self.accumulator = OllamaChatAccumulator(provider: provider)
    }

    var isDone: Bool { accumulator.isDone }

    mutating func limitLines(to bytes: Int) { lines.maxLineBytes = bytes }

    mutating func feed(_ bytes: ByteBufferView) throws -> [ModelEvent] {
        try consume(lines.feed(bytes))
    }

    mutating func finish() throws -> [ModelEvent] {
        let events = try consume(lines.finish())
        guard isDone else {
            throw ProviderError.truncatedStream(provider: provider, message: "the stream ended without a done line")
        }
        return events
    }

    func response() -> ModelResponse { accumulator.response() }

    private mutating func consume(_ lines: [String]) throws -> [ModelEvent] {
        var events: [ModelEvent] = []
        for line in lines where !accumulator.isDone {
            let json = try ReplyBody.parseStreamLine(
                line, provider: provider, decodeError: OpenAIResponseDecoder.errorMessage)
            events += try accumulator.consume(json, source: line, status: 200)
        }
        return events
    }
}
