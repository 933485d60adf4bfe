import Tracing

/// The spans a run makes with swift-distributed-tracing: `run`, `route`, `turn`, `model.call` and `tool.call`,
/// nested as they happen (a routed run: run → route → turn → model.call, tool.call).
///
/// They go to whatever tracer the process bootstrapped (`trellis serve` and `trellis worker` export them over
/// OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set); with none, the calls do nothing. Attribute names follow
/// OpenTelemetry's GenAI conventions (`gen_ai.*`) where one exists, `trellis.*` otherwise.
enum RunSpans {
    /// Names the attributes every span of a run shares.
    static func describe(run span: any Span, id: String, agent: String) {
        span.attributes["trellis.run.id"] = id
        span.attributes["gen_ai.operation.name"] = "invoke_agent"
        span.attributes["gen_ai.agent.name"] = agent
    }

    /// A run's outcome on its span.
    static func finish(run span: any Span, _ result: RunResult) {
        span.attributes["trellis.run.finish_reason"] = result.finishReason.rawValue
        span.attributes["trellis.run.turns"] = result.turns
        span.attributes["trellis.run.tool_calls"] = result.toolCalls.count
        span.attributes["trellis.run.answered_by"] = result.agent
        if let usage = result.usage { record(usage, on: span) }
        if let error = result.error {
            span.attributes["error.type"] = error.code
            span.setStatus(SpanStatus(code: .error, message: error.message))
        }
    }

    /// A routing decision on the `route` span.
    static func describe(route span: any Span, _ decision: RouteDecision, path: [String]) {
        span.attributes["trellis.route.label"] = decision.label ?? "(fallback)"
        span.attributes["trellis.route.agent"] = decision.agent
        span.attributes["trellis.route.classifier"] = decision.classifier
        span.attributes["trellis.route.confidence"] = decision.confidence
        span.attributes["trellis.route.path"] = path.joined(separator: " > ")
        span.attributes["trellis.route.latency_ms"] = decision.latency.secondsValue * 1000
        if let reason = decision.fallbackReason { span.attributes["trellis.route.fallback_reason"] = reason }
        if let usage = decision.usage { record(usage, on: span) }
    }

    /// A model call's reply on its span.
    static func finish(model span: any Span, _ response: ModelResponse) {
        span.attributes["gen_ai.response.finish_reasons"] = [response.rawFinishReason ?? "\(response.finishReason)"]
        if let model = response.model { span.attributes["gen_ai.response.model"] = model }
        span.attributes["trellis.model.tool_calls"] = response.message.toolCalls.count
        if let usage = response.usage { record(usage, on: span) }
    }

    /// A tool call's result on its span.
    static func finish(tool span: any Span, _ output: ToolOutput) {
        span.attributes["trellis.tool.outcome"] = output.isError ? "error" : "ok"
        if output.isError {
            span.setStatus(SpanStatus(code: .error, message: String(output.content.prefix(200))))
        }
    }

    private static func record(_ usage: Usage, on span: any Span) {
        span.attributes["gen_ai.usage.input_tokens"] = usage.inputTokens
        span.attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
        if let cost = usage.cost { span.attributes["trellis.usage.cost"] = cost }
    }
}
