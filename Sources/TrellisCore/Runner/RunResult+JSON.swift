extension RunResult {
    /// The result in the stable shape that `trellis run --json` prints and the server returns:
    ///
    /// `{"agent", "model", "output", "finish_reason", "route": {"label"|null,"agent","confidence","classifier",
    /// "runner_up": {"label","score"}|null, "scores": {label: score}, "fallback_reason"|null, "latency_ms"}|null, "turns",
    /// "tool_calls": [{"name","arguments","is_error","content"}], "usage": {"input_tokens","output_tokens",
    /// "total_tokens","cost"}|null, "error": null|{"code","message"}}`; `usage` is `null` when no model call reported
    /// usage.
    public var json: JSONValue {
        let route: JSONValue =
            if let route {
                [
                    "label": route.label.map(JSONValue.string) ?? .null, "agent": .string(route.agent),
                    "confidence": .number(route.confidence), "classifier": .string(route.classifier),
                    "runner_up": route.runnerUp.map { ["label": .string($0.label), "score": .number($0.score)] }
                        ?? .null,
                    "scores": .object(JSONObject(route.scores.map { ($0.label, JSONValue.number($0.score)) })),
                    "fallback_reason": route.fallbackReason.map(JSONValue.string) ?? .null,
                    "latency_ms": .number(route.latency.secondsValue * 1000),
                ]
            } else {
                .null
            }
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
            "route": route,
            "turns": .integer(turns),
            "tool_calls": .array(calls),
            "usage": usage.map { usage in
                [
                    "input_tokens": .integer(usage.inputTokens),
                    "output_tokens": .integer(usage.outputTokens),
                    "total_tokens": .integer(usage.totalTokens),
                    "cost": usage.cost.map(JSONValue.number) ?? .null,
                ]
            } ?? .null,
            "error": error,
        ]
    }
}
