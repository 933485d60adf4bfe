/// An Amvera model family: the last part of `POST {base}/models/<route>` (PROVIDERS §7.1).
enum AmveraRoute: String, CaseIterable, Sendable {
    case llama, gpt, deepseek, qwen

    /// The route that serves `model`: `llama8b`/`llama70b` → llama, `gpt-*` → gpt, `deepseek-*` → deepseek,
    /// `qwen*` → qwen; `nil` for any other name.
    static func serving(_ model: String) -> AmveraRoute? {
        let name = model.lowercased()
        if name.hasPrefix("llama") { return .llama }
        if name.hasPrefix("gpt-") { return .gpt }
        if name.hasPrefix("deepseek-") { return .deepseek }
        if name.hasPrefix("qwen") { return .qwen }
        return nil
    }

    /// The body shape the route speaks unless the `wire` setting says otherwise: OpenAI for gpt, Yandex else.
    var defaultWire: AmveraWire { self == .gpt ? .openai : .yandex }
}

/// The shape of an Amvera request body.
enum AmveraWire: String, CaseIterable, Sendable {
    /// Yandex-like: `text` messages, `completionOptions`, no tools (llama, deepseek, qwen).
    case yandex
    /// OpenAI-like with `text` messages and `max_completion_tokens`; tools in OpenAI's shape (gpt).
    case openai
}
