/// A model's complete reply to one request.
public struct ModelResponse: Sendable, Hashable {
    /// The assistant message: text, tool calls, reasoning.
    public var message: ChatMessage
    /// The normalised finish reason.
    public var finishReason: FinishReason
    /// The provider's own finish value, for logs.
    public var rawFinishReason: String?
    /// Tokens and cost, when the provider reported them.
    public var usage: Usage?
    /// The model that answered, as the provider named it.
    public var model: String?
    /// The configured model that produced the reply (`provider/model`), set when a ``ModelChain`` chose it.
    public var source: String?
    /// Wire-level deviations the adapter smoothed over (`synthesised call ids`, `arguments as object`, ...),
    /// reported by `trellis provider check`.
    public var quirks: [String]

    /// Creates a response.
    public init(
        message: ChatMessage,
        finishReason: FinishReason,
        rawFinishReason: String? = nil,
        usage: Usage? = nil,
        model: String? = nil,
        source: String? = nil,
        quirks: [String] = []
    ) {
        self.message = message
        self.finishReason = finishReason
        self.rawFinishReason = rawFinishReason
        self.usage = usage
        self.model = model
        self.source = source
        self.quirks = quirks
    }
}

/// One event of a streamed reply.
public enum ModelEvent: Sendable, Hashable {
    /// More answer text.
    case textDelta(String)
    /// More reasoning text.
    case reasoningDelta(String)
    /// A piece of a tool call: the first piece of a call carries its id and name, later ones more arguments.
    case toolCallDelta(index: Int, id: String?, name: String?, arguments: String)
    /// A provider-specific event (for example Dewiar's `billing_update`), by name.
    case providerExtra(name: String, value: JSONValue)
    /// The end of the stream, with the whole reply assembled. Always the last event of a successful stream.
    case completed(ModelResponse)
}
