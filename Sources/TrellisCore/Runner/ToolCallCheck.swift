import Logging

/// A reply's tool calls as the transcript keeps them, checked before the reply joins it, with the result each call
/// gets without running.
///
/// Providers require the next request to answer every call id exactly once, so ids are made present and unique
/// here: a call without an id gets one; a later call reusing an id gets a new one and, when it repeats the earlier
/// call exactly (same tool and arguments, as a stream delivered twice), does not run. A call without a tool name
/// and the calls past ``RunLimits/maxToolCallsPerTurn`` get an error result the model can act on.
struct ToolCallCheck {
    /// The calls, every id present and unique within the reply.
    var calls: [ToolCall] = []
    /// For each call, the result it gets instead of running, or `nil` when it goes on to the dispatcher.
    var refusals: [ToolOutput?] = []

    init(_ reply: [ToolCall], tools: [String], maxPerTurn: Int, logger: Logger) {
        var taken = Set(reply.map(\.id))
        var firstByID: [String: ToolCall] = [:]
        for (position, original) in reply.enumerated() {
            var call = original
            var refusal: ToolOutput?
            if call.id.isEmpty {
                call.id = Self.freshID(avoiding: &taken)
                logger.info("a tool call came without an id", metadata: ["tool.call_id": "\(call.id)"])
            } else if let first = firstByID[call.id] {
                call.id = Self.freshID(avoiding: &taken)
                logger.warning(
                    "the reply used tool call id '\(original.id)' twice; the later call is now '\(call.id)'",
                    metadata: ["tool.name": "\(call.name)"])
                if first.name == call.name && first.arguments == call.arguments {
                    refusal = .error(
                        "not executed: the reply repeated call '\(original.id)' (same id, tool and arguments); "
                            + "it ran once")
                }
            } else {
                firstByID[call.id] = call
            }
            if refusal == nil, call.name.isEmpty {
                let available = tools.isEmpty ? "none" : tools.joined(separator: ", ")
                refusal = .error("the tool call has no name; available tools: \(available)")
            }
            if refusal == nil, position >= maxPerTurn {
                refusal = .error(
                    "not executed: the reply asked for \(reply.count) tool calls; at most \(maxPerTurn) run per turn")
            }
            calls.append(call)
            refusals.append(refusal)
        }
        if reply.count > maxPerTurn {
            logger.warning(
                "the reply asked for \(reply.count) tool calls; those past the per-turn limit do not run",
                metadata: ["tool.limit": "\(maxPerTurn)", "tool.refused": "\(reply.count - maxPerTurn)"])
        }
    }

    private static func freshID(avoiding taken: inout Set<String>) -> String {
        while true {
            let id = ToolCall.synthesizedID()
            if taken.insert(id).inserted { return id }
        }
    }
}
