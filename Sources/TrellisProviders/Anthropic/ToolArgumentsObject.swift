import TrellisCore

/// Tool-call arguments as the JSON object that APIs taking them as objects require when a transcript is sent back
/// (Anthropic `tool_use.input`, Ollama `tool_calls[].function.arguments`).
///
/// Arguments are kept as the model wrote them, possibly invalid; such APIs reject anything but an object, so text
/// that is not an object is wrapped as `{"_raw": "<text>"}`. The model then still sees what it wrote (and the tool
/// result that says why it failed) instead of a silently emptied call.
enum ToolArgumentsObject {
    /// The arguments as an object: `{}` for empty text, the parsed object, or `{"_raw": text}`.
    static func object(from text: String) -> JSONValue {
        let trimmed = text.trimmingSpacesAndNewlines
        if trimmed.isEmpty { return .object(JSONObject()) }
        if let value = try? JSONValue.parse(trimmed), value.objectValue != nil { return value }
        return ["_raw": .string(text)]
    }
}
