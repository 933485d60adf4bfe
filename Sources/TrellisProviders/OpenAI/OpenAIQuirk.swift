import TrellisCore

/// The wire deviations the OpenAI decoders smooth over, as reported in ``ModelResponse/quirks``.
enum OpenAIQuirk {
    /// Some tool call had no id (or an empty one) and got a synthesised `call_<uuid>`.
    static let synthesizedIDs = "call ids missing (synthesised)"
    /// `function.arguments` was a JSON object instead of a JSON string.
    static let argumentsAsObject = "arguments as object"
    /// A plain answer carried `tool_calls: []` (vLLM).
    static let emptyToolCalls = "tool_calls: [] on plain answers"
    /// The reply had no token counts.
    static let noUsage = "no usage reported"
    /// The reply carried `reasoning_content` next to `content` (DeepSeek, SiliconFlow, vLLM reasoning parsers).
    static let reasoningContent = "reasoning_content"

    /// Quirks of the finish value: a tool turn that did not say `tool_calls` (vLLM with forced tool choice,
    /// OpenAI with a named one), and vendor values such as SiliconFlow's `eos`.
    static func finish(raw: String?, reason: FinishReason, hasToolCalls: Bool) -> [String] {
        var quirks: [String] = []
        if raw == "eos" || raw == "eos_token" { quirks.append("finish '\(raw!)'") }
        if hasToolCalls, reason == .toolCalls, raw != "tool_calls", raw != "function_call" {
            quirks.append("tool calls with finish '\(raw ?? "null")'")
        }
        return quirks
    }
}
