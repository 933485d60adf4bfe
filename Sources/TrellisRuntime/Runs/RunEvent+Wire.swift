import TrellisCore

extension RunEvent {
    /// The event as a run's event log and its SSE stream carry it: a name and JSON data.
    ///
    /// `route` (``RouteDecision/json``), `handoff` `{from, to}`, `turn.started` `{turn}`, `text.delta` and
    /// `reasoning.delta` `{text}`, `tool.call` `{id, name, arguments}`, `tool.result` `{id, name, is_error, content,
    /// duration_ms}`, `usage` (``Usage/json``); an event of an agent called as a tool is `nested` `{agent, type,
    /// data}`. A committed state is a checkpoint, not an event, and the end is `run.finished`, which the worker
    /// writes with the run's status: both are `nil` here.
    public var wire: (type: String, data: JSONValue)? {
        switch self {
        case .routed(let decision):
            return ("route", decision.json)
        case .handedOff(let from, let to):
            return ("handoff", ["from": .string(from), "to": .string(to)])
        case .nested(let agent, let event):
            guard let inner = event.wire else { return nil }
            return ("nested", ["agent": .string(agent), "type": .string(inner.type), "data": inner.data])
        case .turnStarted(let turn):
            return ("turn.started", ["turn": .integer(turn)])
        case .textDelta(let text):
            return ("text.delta", ["text": .string(text)])
        case .reasoningDelta(let text):
            return ("reasoning.delta", ["text": .string(text)])
        case .toolCall(let call):
            return (
                "tool.call", ["id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments)]
            )
        case .toolResult(let call, let output, let duration):
            return (
                "tool.result",
                [
                    "id": .string(call.id), "name": .string(call.name), "is_error": .bool(output.isError),
                    "content": .string(output.content),
                    "duration_ms": duration.map { .number($0.secondsValue * 1000) } ?? .null,
                ]
            )
        case .usage(let usage):
            return ("usage", usage.json)
        case .committed, .finished:
            return nil
        }
    }
}
