/// Something that happened during a run, in order.
public enum RunEvent: Sendable, Hashable {
    /// A router picked the agent that takes the run (before any model turn; once per hop when agents route on).
    case routed(RouteDecision)
    /// The model called a `transfer_to_<agent>` tool: the conversation goes on with that agent's prompt, model and
    /// tools.
    case handedOff(from: String, to: String)
    /// Something that happened in a run of an agent called as a tool (`tools: [{agent: NAME}]`).
    indirect case nested(agent: String, RunEvent)
    /// A model call is about to be made (1-based).
    case turnStarted(turn: Int)
    /// Answer text arrived (streaming runs only).
    case textDelta(String)
    /// Reasoning text arrived: piece by piece in streaming runs, whole after each reply otherwise.
    case reasoningDelta(String)
    /// The model asked for a tool call.
    case toolCall(ToolCall)
    /// A tool call's result was appended to the transcript, with how long the tool ran; `duration` is `nil` for a
    /// call that never ran (unknown tool, invalid arguments, refused, over a limit).
    ///
    /// Results arrive in call order after the whole reply's calls are done, so time them by `duration`, not by
    /// when the events arrive; each is committed (``committed(_:)``) as soon as its call finishes.
    case toolResult(call: ToolCall, output: ToolOutput, duration: Duration?)
    /// A step of the run is done and `state` holds everything needed to go on from it: the run started, a reply
    /// arrived and its calls were checked, a call was approved, started or finished, the agent changed, the run
    /// ended. A store that saves each one can resume the run after a crash (``AgentRunner/resume(_:from:options:onEvent:)``).
    case committed(RunState)
    /// A model call reported usage.
    case usage(Usage)
    /// The run ended.
    case finished(RunResult)
}
