/// The `llm` classifier: a chat model picks one label from the routes' descriptions and examples.
///
/// The model is asked to call a `choose_route` tool whose `label` is an enum of the labels, with a `confidence`
/// from 0 to 1, and the call is forced, so every adapter gets a structured answer it knows how to send. A sloppy
/// answer is still read: a JSON object in the text, or one label named in it. What the answer does not say is
/// not made up: a structured label without a confidence gets ``unstatedConfidence``, a label found only in free
/// text ``looseConfidence``, and an answer naming no label (or several) scores nothing.
///
/// ```swift
/// let classifier = LLMClassifier(provider: chain, model: "gpt-4o-mini", routes: table.routes)
/// let outcome = try await classifier.classify("I was charged twice")
/// outcome.top?.label  // "billing"
/// ```
public struct LLMClassifier: RouteClassifier {
    /// The confidence of a structured answer that names a label but no confidence.
    public static let unstatedConfidence = 0.75
    /// The confidence of a label found in free text.
    public static let looseConfidence = 0.6
    /// The tool the model is asked to call.
    public static let toolName = "choose_route"

    public var kind: ClassifierKind { .llm }
    let provider: any ModelProvider
    let model: String
    let routes: [Route]
    let options: GenerationOptions

    /// Creates a classifier.
    ///
    /// - Parameters:
    ///   - provider: The chat model's provider (a chain, so its fallbacks and pricing apply).
    ///   - model: The model id sent in the request.
    ///   - routes: The labels to choose from.
    ///   - options: Generation options; the temperature is 0 unless set.
    public init(
        provider: any ModelProvider, model: String, routes: [Route], options: GenerationOptions = GenerationOptions()
    ) {
        self.provider = provider
        self.model = model
        self.routes = routes
        var options = options
        if options.temperature == nil { options.temperature = 0 }
        self.options = options
    }

    public func classify(_ input: String) async throws -> ClassifierOutcome {
        let response = try await provider.complete(request(for: input))
        let answer = Self.answer(in: response.message, labels: routes.map(\.label))
        let scores = routes.map { route in
            LabelScore(
                label: route.label, score: route.label == answer?.label ? answer?.confidence ?? 0 : 0,
                evidence: route.label == answer?.label ? [answer?.evidence ?? ""] : [])
        }
        return ClassifierOutcome(scores: scores, confidence: answer?.confidence ?? 0, usage: response.usage)
    }

    /// The request: the labels in the system prompt, the input as the user message, the tool forced.
    public func request(for input: String) -> ModelRequest {
        var prompt = """
            You route a user's message to the team that should handle it. Choose exactly one label and call \
            \(Self.toolName) with it and your confidence from 0 to 1.

            Labels:
            """
        for route in routes {
            prompt += "\n- \(route.label)"
            if let description = route.description { prompt += ": \(description)" }
            for example in route.examples.prefix(5) { prompt += "\n  example: \(example)" }
        }
        let tool = ToolDefinition(
            name: Self.toolName, description: "Hands the message to the team of one label.",
            parameters: [
                "type": "object",
                "properties": [
                    "label": ["type": "string", "enum": .array(routes.map { .string($0.label) })],
                    "confidence": ["type": "number", "minimum": 0, "maximum": 1],
                ],
                "required": ["label", "confidence"],
            ])
        return ModelRequest(
            model: model, messages: [.system(prompt), .user(input)], tools: [tool],
            toolChoice: .function(Self.toolName), options: options)
    }

    /// A label and confidence read from a reply, and what it was read from.
    struct Answer: Equatable {
        var label: String
        var confidence: Double
        var evidence: String
    }

    /// Reads the answer: the tool call's arguments, else a JSON object in the text, else the one label the text
    /// names as a whole word.
    static func answer(in message: ChatMessage, labels: [String]) -> Answer? {
        let structured =
            message.toolCalls.lazy.compactMap { parsedObject($0.arguments) }.first ?? firstObject(in: message.text)
        if let object = structured, let answer = answer(in: object, labels: labels) { return answer }
        let words = Set(TextFolding.words(in: message.text))
        let named = labels.filter { words.contains(TextFolding.fold($0)) }
        guard named.count == 1, let label = named.first else { return nil }
        return Answer(label: label, confidence: looseConfidence, evidence: "named in the reply")
    }

    private static func answer(in object: JSONValue, labels: [String]) -> Answer? {
        guard let raw = object["label"]?.stringValue ?? object["route"]?.stringValue,
            let label = labels.first(where: { TextFolding.fold($0) == TextFolding.fold(raw) })
        else { return nil }
        let stated = object["confidence"]?.doubleValue ?? object["confidence"]?.stringValue.flatMap(Double.init)
        guard let stated, stated.isFinite else {
            return Answer(label: label, confidence: unstatedConfidence, evidence: "chosen, no confidence stated")
        }
        // Some models answer in percent.
        let confidence = min(1, max(0, stated > 1 && stated <= 100 ? stated / 100 : stated))
        return Answer(label: label, confidence: confidence, evidence: "chosen")
    }

    private static func parsedObject(_ text: String) -> JSONValue? {
        guard let value = try? JSONValue.parse(text), case .object = value else { return firstObject(in: text) }
        return value
    }

    /// The first `{...}` in the text that parses as a JSON object (models wrap answers in prose or code fences).
    /// Only the first few braces each way are tried, so a long reply full of braces costs little.
    private static func firstObject(in text: String) -> JSONValue? {
        let opens = text.indices.lazy.filter { text[$0] == "{" }.prefix(8)
        let closes = Array(text.indices.lazy.filter { text[$0] == "}" }.suffix(8).reversed())
        for open in opens {
            for close in closes where close > open {
                if let value = try? JSONValue.parse(String(text[open...close])), case .object = value { return value }
            }
        }
        return nil
    }
}
