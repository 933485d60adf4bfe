import NIOCore
import TrellisCore

/// The wire decoders behind one narrow door, for the fuzz targets (`fuzz/`) and their regression tests: bytes in,
/// a reply or a ``ProviderError`` out, exactly as the adapters call them, without a network.
package enum WireDecoding {
    /// A wire format: one adapter's decoders, with the dialect settings that change what they read.
    package enum Wire: String, CaseIterable, Sendable {
        /// OpenAI Chat Completions (also SiliconFlow and vLLM, which use the same decoders unchanged).
        case openAI = "openai"
        /// Dewiar: OpenAI's wire plus the `billing` block and `billing_update` events.
        case dewiar
        /// Amvera: OpenAI- or Yandex-shaped complete replies; it does not stream.
        case amvera
        /// Anthropic Messages and its typed SSE stream.
        case anthropic
        /// Ollama `/api/chat` and its NDJSON stream.
        case ollama
        /// Yandex completion, its NDJSON stream, and the embedding and classification replies.
        case yandex

        /// Whether the vendor streams; Amvera's stream is its complete reply handed out as events.
        package var streams: Bool { self != .amvera }
    }

    /// A stream's outcome when every byte arrived: its events (the last one ``ModelEvent/completed(_:)``), or the
    /// error that ended it after the events before it.
    package struct StreamOutcome: Sendable {
        /// The events handed out.
        package var events: [ModelEvent]
        /// The error that ended the stream, if any (a ``ProviderError`` unless a decoder is broken).
        package var error: (any Error)?
    }

    /// Decodes a complete (non-streamed) reply body sent with `status`.
    ///
    /// - Throws: ``ProviderError`` only.
    package static func response(_ wire: Wire, body: String, status: Int = 200, maxTokens: Int? = nil) throws
        -> ModelResponse
    {
        let name = wire.rawValue
        switch wire {
        case .openAI:
            return try OpenAIResponseDecoder.response(from: body, provider: name, status: status, maxTokens: maxTokens)
        case .dewiar:
            return try OpenAIResponseDecoder.response(
                from: body, provider: name, status: status, maxTokens: maxTokens, billing: true)
        case .amvera:
            return try AmveraResponseDecoder.response(from: body, provider: name, status: status, maxTokens: maxTokens)
        case .anthropic:
            return try AnthropicResponseDecoder.response(from: body, provider: name, status: status)
        case .ollama:
            return try OllamaResponseDecoder.response(from: body, provider: name, status: status)
        case .yandex:
            return try YandexResponseDecoder.response(from: body, provider: name, status: status)
        }
    }

    /// The vendor's message and code read from an error body, as the HTTP client does for a non-2xx reply.
    package static func errorMessage(_ wire: Wire, body: String) -> (message: String, code: String?) {
        switch wire {
        case .openAI, .dewiar, .anthropic, .ollama: return OpenAIResponseDecoder.errorMessage(from: body)
        case .amvera: return AmveraResponseDecoder.errorMessage(from: body)
        case .yandex: return YandexResponseDecoder.errorMessage(from: body)
        }
    }

    /// The vector of a Yandex `textEmbedding` reply body.
    ///
    /// - Throws: ``ProviderError`` only.
    package static func yandexEmbedding(body: String, status: Int = 200) throws -> [Double] {
        try YandexSideDecoder.embedding(from: body, provider: "yandex", status: status)
    }

    /// The predictions of a Yandex `fewShotTextClassification` reply body, most confident first.
    ///
    /// - Throws: ``ProviderError`` only.
    package static func yandexPredictions(body: String, status: Int = 200) throws -> [ClassificationPrediction] {
        try YandexSideDecoder.predictions(from: body, provider: "yandex", status: status)
    }

    /// Decodes a streamed body that arrives in `chunks`, as ``ProviderHTTPClient`` drives a ``StreamDecoder``:
    /// each chunk is fed until the terminal marker, then the rest is dropped; a body that ends first is finished.
    /// A wire that does not stream (``Wire/streams``) has its complete reply decoded and handed out as events.
    package static func stream(_ wire: Wire, chunks: [[UInt8]], maxTokens: Int? = nil) -> StreamOutcome {
        let name = wire.rawValue
        switch wire {
        case .openAI: return drive(OpenAIStreamDecoder(provider: name, maxTokens: maxTokens), chunks, name)
        case .dewiar:
            return drive(OpenAIStreamDecoder(provider: name, maxTokens: maxTokens, billing: true), chunks, name)
        case .anthropic: return drive(AnthropicStreamDecoder(provider: name), chunks, name)
        case .ollama: return drive(OllamaStreamDecoder(provider: name), chunks, name)
        case .yandex: return drive(YandexStreamDecoder(provider: name), chunks, name)
        case .amvera:
            do {
                let body = String(decoding: chunks.joined(), as: UTF8.self)
                return StreamOutcome(
                    events: SingleReplyStream.events(for: try response(wire, body: body, maxTokens: maxTokens)),
                    error: nil)
            } catch {
                return StreamOutcome(events: [], error: error)
            }
        }
    }

    private static func drive(_ decoder: some StreamDecoder, _ chunks: [[UInt8]], _ provider: String)
        -> StreamOutcome
    {
        var decoder = decoder
        var events: [ModelEvent] = []
        do {
            var received = 0
            for chunk in chunks where !chunk.isEmpty {
                received += chunk.count
                events += try decoder.feed(ByteBuffer(bytes: chunk).readableBytesView)
                if decoder.isDone { break }
            }
            if !decoder.isDone {
                guard received > 0 else {
                    throw ProviderError.streamRefused(provider: provider, status: 200)
                }
                events += try decoder.finish()
            }
            guard decoder.isDone else {
                throw ProviderError.truncatedStream(
                    provider: provider, message: "the stream ended before its terminal marker")
            }
            events.append(.completed(decoder.response()))
            return StreamOutcome(events: events, error: nil)
        } catch {
            return StreamOutcome(events: events, error: error)
        }
    }
}
