import TrellisCore

/// Wraps a Yandex event stream so a refused topic (HTTP 400 "An answer to a given topic cannot be generated") ends
/// it with a `contentFilter` reply instead of an error, as ``YandexProvider/complete(_:)`` does.
enum YandexRefusalStream {
    /// The events of `events`, with a refusal before the first event turned into a reply.
    static func wrap(_ events: AsyncThrowingStream<ModelEvent, any Error>) -> AsyncThrowingStream<ModelEvent, any Error>
    {
        let state = State(iterator: events.makeAsyncIterator())
        return AsyncThrowingStream(unfolding: { try await state.next() })
    }

    /// Only the stream's single consumer touches it, one call at a time.
    private final class State: @unchecked Sendable {
        var iterator: AsyncThrowingStream<ModelEvent, any Error>.AsyncIterator
        var produced = false
        var finished = false

        init(iterator: AsyncThrowingStream<ModelEvent, any Error>.AsyncIterator) {
            self.iterator = iterator
        }

        func next() async throws -> ModelEvent? {
            guard !finished else { return nil }
            do {
                let event = try await iterator.next()
                produced = true
                return event
            } catch let error as ProviderError where !produced && YandexResponseDecoder.isTopicRefusal(error) {
                finished = true
                return .completed(YandexResponseDecoder.refusal(error))
            }
        }
    }
}
