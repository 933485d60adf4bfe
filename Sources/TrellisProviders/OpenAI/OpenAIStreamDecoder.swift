import NIOCore
import TrellisCore

/// OpenAI's `text/event-stream`: SSE events into the chunk accumulator, done at `data: [DONE]`.
struct OpenAIStreamDecoder: StreamDecoder {
    var parser = SSEParser()
    var accumulator: OpenAIStreamAccumulator
    let provider: String

    init(provider: String, maxTokens: Int?, billing: Bool = false) {
        self.provider = provider
        self.accumulator = OpenAIStreamAccumulator(provider: provider, maxTokens: maxTokens, billing: billing)
    }

    var isDone: Bool { accumulator.isDone }

    mutating func limitLines(to bytes: Int) { parser.maxEventBytes = bytes }

    mutating func feed(_ bytes: ByteBufferView) throws -> [ModelEvent] {
        try consume(parser.feed(bytes))
    }

    mutating func finish() throws -> [ModelEvent] {
        let events = try consume(parser.finish())
        guard isDone else {
            throw ProviderError.truncatedStream(provider: provider, message: "the stream ended without data: [DONE]")
        }
        return events
    }

    func response() -> ModelResponse { accumulator.response() }

    private mutating func consume(_ events: [SSEEvent]) throws -> [ModelEvent] {
        var result: [ModelEvent] = []
        for event in events where !accumulator.isDone { result += try accumulator.consume(event) }
        return result
    }
}
