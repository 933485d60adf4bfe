/// A chat model behind some wire format.
///
/// Adapters (`OpenAICompatibleProvider`, ...) conform to this protocol; the runner only speaks to it. Both methods
/// return the reply normalised: tool calls with ids, arguments as JSON text, ``FinishReason`` by the rules of
/// ``FinishReason/normalized(raw:hasToolCalls:hasText:)``.
///
/// ```swift
/// let provider: any ModelProvider = ...
/// let reply = try await provider.complete(ModelRequest(model: "gpt-4o-mini", messages: [.user("Hi")]))
/// for try await event in provider.stream(request) {
///     if case .textDelta(let text) = event { print(text, terminator: "") }
/// }
/// ```
public protocol ModelProvider: Sendable {
    /// Sends one request and returns the whole reply.
    ///
    /// - Throws: ``ProviderError`` after retries are exhausted, or `CancellationError`.
    func complete(_ request: ModelRequest) async throws -> ModelResponse

    /// Sends one request and streams the reply; the last event is ``ModelEvent/completed(_:)``.
    ///
    /// The request is sent when iteration starts; abandoning the iteration cancels it.
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error>
}
