/// Why a model stopped producing a reply, normalised across providers.
public enum FinishReason: String, Sendable, Hashable, Codable {
    /// A complete answer.
    case stop
    /// Cut off by a token limit; any tool calls in the reply are not run.
    case length
    /// The reply holds tool calls to run.
    case toolCalls = "tool_calls"
    /// Withheld by the provider's content filter.
    case contentFilter = "content_filter"
    /// The provider reported a failure for this reply.
    case error

    /// Maps a provider's raw finish reason to the common vocabulary.
    ///
    /// Tool calls win over the reported reason: a reply with calls that says `stop`, `eos`, `end_turn` or nothing
    /// is a tool turn. A reply that says `length` is never a tool turn, and `tool_calls` with no calls is not one.
    ///
    /// - Parameters:
    ///   - raw: The provider's value (`stop`, `eos`, `tool_calls`, `ALTERNATIVE_STATUS_FINAL`, ...), or `nil`.
    ///   - hasToolCalls: Whether the reply carries at least one tool call.
    ///   - hasText: Whether the reply carries text.
    /// - Returns: The normalised reason.
    public static func normalized(raw: String?, hasToolCalls: Bool, hasText: Bool) -> FinishReason {
        let reported: FinishReason
        switch raw {
        case "stop", "eos", "eos_token", "end_turn", "stop_sequence", "pause_turn", "ALTERNATIVE_STATUS_FINAL", nil:
            reported = .stop
        case "length", "max_tokens", "model_length", "model_context_window_exceeded",
            "ALTERNATIVE_STATUS_TRUNCATED_FINAL":
            reported = .length
        case "tool_calls", "function_call", "tool_use", "ALTERNATIVE_STATUS_TOOL_CALLS":
            reported = .toolCalls
        case "content_filter", "refusal", "ALTERNATIVE_STATUS_CONTENT_FILTER":
            reported = .contentFilter
        case "abort", "error", "insufficient_system_resource", "load", "unload":
            reported = .error
        default:
            reported = hasText || hasToolCalls ? .stop : .error
        }
        switch reported {
        case .length, .contentFilter, .error: return reported
        case .stop, .toolCalls: return hasToolCalls ? .toolCalls : (reported == .toolCalls ? .stop : reported)
        }
    }
}
