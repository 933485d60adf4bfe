import TrellisCore

/// Reads Anthropic Messages replies: `content` blocks (`text`, `tool_use`, `thinking`), `stop_reason`, `usage`.
enum AnthropicResponseDecoder {
    /// The quirk of a `tool_use` block without an id (Anthropic-compatible proxies), which gets a synthesised one.
    static let missingIDs = "call ids missing (synthesised)"

    /// Decodes a non-streamed `message` body.
    static func response(from body: String, provider: String, status: Int) throws -> ModelResponse {
        let json = try ReplyBody.parse(
            body, provider: provider, status: status,
            isError: { $0["type"] == "error" || $0["error"]?.objectValue != nil },
            decodeError: OpenAIResponseDecoder.errorMessage)
        guard let blocks = json["content"]?.arrayValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no content array", status: status, body: body)
        }
        var text = ""
        var reasoning = ""
        var calls: [ToolCall] = []
        var quirks: [String] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                text += block["text"]?.stringValue ?? ""
            case "thinking":
                reasoning += block["thinking"]?.stringValue ?? ""
            case "tool_use":
                // A call without a name still gets a result (an error the model can correct), not a failed turn.
                let name = block["name"]?.stringValue ?? ""
                if (block["id"]?.stringValue ?? "").isEmpty, quirks.isEmpty { quirks.append(missingIDs) }
                calls.append(
                    ToolCall(
                        id: OpenAIResponseDecoder.callID(block["id"]), name: name,
                        arguments: OpenAIResponseDecoder.arguments(block["input"])))
            default:
                // redacted_thinking, server tool blocks and future types carry nothing the transcript keeps.
                continue
            }
        }
        let raw = json["stop_reason"]?.stringValue
        return ModelResponse(
            message: .assistant(text, toolCalls: calls, reasoning: reasoning.isEmpty ? nil : reasoning),
            finishReason: FinishReason.normalized(raw: raw, hasToolCalls: !calls.isEmpty, hasText: !text.isEmpty),
            rawFinishReason: raw, usage: json["usage"].flatMap { usage($0) }, model: json["model"]?.stringValue,
            quirks: quirks)
    }

    /// `usage`: cache writes and reads are prompt tokens too, so they count as input.
    static func usage(_ value: JSONValue, previous: Usage? = nil) -> Usage? {
        guard value.objectValue != nil else { return previous }
        let parts = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"].compactMap {
            value[$0]?.intValue
        }
        return Usage(
            inputTokens: parts.isEmpty ? previous?.inputTokens ?? 0 : parts.reduce(0, +),
            outputTokens: value["output_tokens"]?.intValue ?? previous?.outputTokens ?? 0)
    }
}
