import TrellisCore

/// Assembles an Ollama `/api/chat` reply from its objects: every NDJSON line of a stream, or the one body of a
/// non-streamed reply.
///
/// `message.content` and `message.thinking` are deltas; tool calls arrive whole (arguments as an object, usually
/// without an id); the object with `done: true` carries `done_reason` and the token counts. The smoothed-over
/// deviations are reported as quirks.
struct OllamaChatAccumulator {
    let provider: String
    private var text = ""
    private var reasoning = ""
    private var calls: [ToolCall] = []
    private var quirks: [String] = []
    private var rawFinish: String?
    private var usage: Usage?
    private var model: String?
    private(set) var isDone = false

    init(provider: String) {
        self.provider = provider
    }

    /// Takes one object (`source` is its text, for error messages) and returns the events to emit.
    ///
    /// - Throws: ``ProviderError/malformedResponse(provider:message:status:body:)`` for an object that is neither
    ///   a message nor the final one, or a tool call without a name.
    mutating func consume(_ json: JSONValue, source: String, status: Int) throws -> [ModelEvent] {
        let message = json["message"]
        guard message?.objectValue != nil || json["done"]?.boolValue != nil else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has neither a message nor done", status: status, body: source)
        }
        if let value = json["model"]?.stringValue { model = value }
        var events: [ModelEvent] = []
        if let piece = message?["thinking"]?.stringValue, !piece.isEmpty {
            reasoning += piece
            events.append(.reasoningDelta(piece))
        }
        if let piece = message?["content"]?.stringValue, !piece.isEmpty {
            text += piece
            events.append(.textDelta(piece))
        }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"]
            // A call without a name still gets a result (an error the model can correct), not a failed turn.
            let name = function?["name"]?.stringValue ?? ""
            if (call["id"]?.stringValue ?? "").isEmpty { note("call ids missing (synthesised)") }
            if function?["arguments"]?.objectValue != nil { note("arguments as object") }
            let parsed = ToolCall(
                id: OpenAIResponseDecoder.callID(call["id"]), name: name,
                arguments: OpenAIResponseDecoder.arguments(function?["arguments"]))
            calls.append(parsed)
            events.append(
                .toolCallDelta(index: calls.count - 1, id: parsed.id, name: parsed.name, arguments: parsed.arguments))
        }
        if json["done"]?.boolValue == true {
            isDone = true
            rawFinish = json["done_reason"]?.stringValue
            usage = Usage(
                inputTokens: json["prompt_eval_count"]?.intValue ?? 0, outputTokens: json["eval_count"]?.intValue ?? 0)
        }
        return events
    }

    private mutating func note(_ quirk: String) {
        if !quirks.contains(quirk) { quirks.append(quirk) }
    }

    /// The assembled reply.
    func response() -> ModelResponse {
        var quirks = self.quirks
        if rawFinish == "stop", !calls.isEmpty { quirks.append("tool calls with finish 'stop'") }
        return ModelResponse(
            message: .assistant(text, toolCalls: calls, reasoning: reasoning.isEmpty ? nil : reasoning),
            finishReason: FinishReason.normalized(raw: rawFinish, hasToolCalls: !calls.isEmpty, hasText: !text.isEmpty),
            rawFinishReason: rawFinish, usage: usage, model: model, quirks: quirks)
    }
}
