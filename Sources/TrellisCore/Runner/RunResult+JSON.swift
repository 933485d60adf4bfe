extension RunResult {
    /// The result in the stable shape that `trellis run --json` prints and the server returns:
    ///
    /// `{"agent", "model", "output", "finish_reason", "route": ``RouteDecision/json``|null, "turns",
    /// "tool_calls": [{"name","arguments","is_error","content"}], "usage": {"input_tokens","output_tokens",
    /// "total_tokens","cost"}|null, "error": null|{"code","message"}}`; `usage` is `null` when no model call reported
    /// usage.
    public var json: JSONValue {
        let calls: [JSONValue] = toolCalls.map { call in
            [
                "name": .string(call.name), "arguments": call.arguments, "is_error": .bool(call.isError),
                "content": .string(call.content),
            ]
        }
        let error: JSONValue =
            if let error { ["code": .string(error.code), "message": .string(error.message)] } else { .null }
        return [
            "agent": .string(agent),
            "model": model.map(JSONValue.string) ?? .null,
            "output": .string(output),
            "finish_reason": .string(finishReason.rawValue),
            "route": route?.json ?? .null,
            "turns": .integer(turns),
            "tool_calls": .array(calls),
            "usage": usage?.json ?? .null,
            "error": error,
        ]
    }
}

extension RouteDecision {
    /// The decision as `trellis route --json` and a run's `route` print it: `{"label"|null, "agent", "confidence",
    /// "classifier", "runner_up": {"label","score"}|null, "scores": {label: score}, "evidence": {label: [why]},
    /// "fallback_reason"|null, "latency_ms", "usage": {"input_tokens","output_tokens","total_tokens","cost"}|null}`.
    public var json: JSONValue {
        [
            "label": label.map(JSONValue.string) ?? .null, "agent": .string(agent),
            "confidence": .number(confidence), "classifier": .string(classifier),
            "runner_up": runnerUp.map { ["label": .string($0.label), "score": .number($0.score)] } ?? .null,
            "scores": .object(JSONObject(scores.map { ($0.label, JSONValue.number($0.score)) })),
            "evidence": .object(
                JSONObject(scores.map { ($0.label, JSONValue.array($0.evidence.map(JSONValue.string))) })),
            "fallback_reason": fallbackReason.map(JSONValue.string) ?? .null,
            "latency_ms": .number(latency.secondsValue * 1000),
            "usage": usage?.json ?? .null,
        ]
    }
}

extension Usage {
    /// `{"input_tokens", "output_tokens", "total_tokens", "cost"|null}`.
    public var json: JSONValue {
        [
            "input_tokens": .integer(inputTokens), "output_tokens": .integer(outputTokens),
            "total_tokens": .integer(totalTokens), "cost": cost.map(JSONValue.number) ?? .null,
        ]
    }
}
