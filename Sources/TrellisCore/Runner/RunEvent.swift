/// Something that happened during a run, in order.
public enum RunEvent: Sendable, Hashable {
    /// A model call is about to be made (1-based).
    case turnStarted(turn: Int)
    /// Answer text arrived (streaming runs only).
    case textDelta(String)
    /// Reasoning text arrived: piece by piece in streaming runs, whole after each reply otherwise.
    case reasoningDelta(String)
    /// The model asked for a tool call.
    case toolCall(ToolCall)
    /// A tool call's result was appended to the transcript.
    case toolResult(call: ToolCall, output: ToolOutput)
    /// A model call reported usage.
    case usage(Usage)
    /// The run ended.
    case finished(RunResult)
}
