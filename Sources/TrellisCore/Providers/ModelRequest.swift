/// How the model may use the tools it is offered.
public enum ToolChoice: Sendable, Hashable {
    /// The model decides (the default when tools are offered).
    case auto
    /// The model must not call tools.
    case none
    /// The model must call at least one tool.
    case required
    /// The model must call the named tool.
    case function(String)

    /// Whether this choice forces a tool call.
    public var isForced: Bool {
        switch self {
        case .required, .function: return true
        case .auto, .none: return false
        }
    }
}

/// Sampling and output settings sent with a request; `nil` fields are left to the provider's defaults.
public struct GenerationOptions: Sendable, Hashable {
    /// Sampling temperature.
    public var temperature: Double?
    /// Nucleus sampling mass.
    public var topP: Double?
    /// Most tokens the model may produce in one reply.
    public var maxTokens: Int?
    /// Sequences that end generation.
    public var stop: [String]?
    /// How many choices to generate (only the first is used by the loop).
    public var choices: Int?
    /// Seed for reproducible sampling.
    public var seed: Int?
    /// The `response_format` object, passed through as written.
    public var responseFormat: JSONValue?
    /// Further provider-specific request fields, passed through as written.
    public var extra: JSONObject

    /// Creates options.
    public init(
        temperature: Double? = nil,
        topP: Double? = nil,
        maxTokens: Int? = nil,
        stop: [String]? = nil,
        choices: Int? = nil,
        seed: Int? = nil,
        responseFormat: JSONValue? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.choices = choices
        self.seed = seed
        self.responseFormat = responseFormat
        self.extra = extra
    }
}

/// One request to a model: the transcript so far, the tools on offer, and the options.
public struct ModelRequest: Sendable, Hashable {
    /// The provider's model id.
    public var model: String
    /// The transcript.
    public var messages: [ChatMessage]
    /// The tools on offer.
    public var tools: [ToolDefinition]
    /// How tools may be used; `nil` leaves it to the provider.
    public var toolChoice: ToolChoice?
    /// Whether the model may ask for several calls in one reply; `nil` leaves it to the provider.
    public var parallelToolCalls: Bool?
    /// Sampling and output settings.
    public var options: GenerationOptions

    /// Creates a request.
    public init(
        model: String,
        messages: [ChatMessage],
        tools: [ToolDefinition] = [],
        toolChoice: ToolChoice? = nil,
        parallelToolCalls: Bool? = nil,
        options: GenerationOptions = GenerationOptions()
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.options = options
    }
}
