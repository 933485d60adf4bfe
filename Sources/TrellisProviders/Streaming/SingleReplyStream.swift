import TrellisCore

/// A stream for an API that cannot stream (Amvera): the whole reply is fetched on the first `next()` and handed
/// out as the events a streaming API would have sent — reasoning, text, one delta per tool call, then
/// ``ModelEvent/completed(_:)``.
enum SingleReplyStream {
    /// Streams the reply `complete` fetches.
    static func make(
        _ complete: @escaping @Sendable () async throws -> ModelResponse
    ) -> AsyncThrowingStream<ModelEvent, any Error> {
        let state = State(complete: complete)
        return AsyncThrowingStream(unfolding: { try await state.next() })
    }

    /// The events a streaming API would have sent for a complete reply.
    static func events(for response: ModelResponse) -> [ModelEvent] {
        var events: [ModelEvent] = []
        if let reasoning = response.message.reasoning, !reasoning.isEmpty { events.append(.reasoningDelta(reasoning)) }
        let text = response.message.text
        if !text.isEmpty { events.append(.textDelta(text)) }
        for (index, call) in response.message.toolCalls.enumerated() {
            events.append(.toolCallDelta(index: index, id: call.id, name: call.name, arguments: call.arguments))
        }
        events.append(.completed(response))
        return events
    }

    /// Only the stream's single consumer touches it, one call at a time.
    private final class State: @unchecked Sendable {
        let complete: @Sendable () async throws -> ModelResponse
        var events: [ModelEvent]?
        var cursor = 0

        init(complete: @escaping @Sendable () async throws -> ModelResponse) {
            self.complete = complete
        }

        func next() async throws -> ModelEvent? {
            if events == nil { events = SingleReplyStream.events(for: try await complete()) }
            guard let events, cursor < events.count else { return nil }
            defer { cursor += 1 }
            return events[cursor]
        }
    }
}
