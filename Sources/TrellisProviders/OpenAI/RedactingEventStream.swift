import TrellisCore

/// A stream whose ``ProviderError``s have secrets besides the API key (Dewiar's `provider_api_key`) redacted.
///
/// Pull-based like the stream it wraps: each `next()` asks the inner stream for one event, so abandoning the
/// iteration abandons the request.
final class RedactingEventStream: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<ModelEvent, any Error>.AsyncIterator
    private let secrets: [String]

    private init(_ stream: AsyncThrowingStream<ModelEvent, any Error>, secrets: [String]) {
        self.iterator = stream.makeAsyncIterator()
        self.secrets = secrets
    }

    /// `stream`, with every secret in `secrets` replaced by `[redacted]` in the errors it throws.
    static func wrap(_ stream: AsyncThrowingStream<ModelEvent, any Error>, secrets: [String])
        -> AsyncThrowingStream<ModelEvent, any Error>
    {
        guard !secrets.isEmpty else { return stream }
        let state = RedactingEventStream(stream, secrets: secrets)
        return AsyncThrowingStream(unfolding: { try await state.next() })
    }

    /// Only the stream's single consumer calls this, one call at a time.
    private func next() async throws -> ModelEvent? {
        do {
            return try await iterator.next()
        } catch let error as ProviderError {
            throw secrets.reduce(error) { $0.redacting($1) }
        }
    }
}
