import Prometheus
import TrellisRuntime

/// The server's Prometheus metrics, served at `/metrics`.
///
/// - `trellis_runs{status}`: runs in the store by status, and `trellis_queue_depth`, read at each scrape;
/// - `trellis_runs_ended_total{status}`: runs this process ended (or parked);
/// - `trellis_turns_total{agent}` and `trellis_model_call_duration_seconds{agent}`: model calls;
/// - `trellis_tool_calls_total{tool,outcome}` and `trellis_tool_call_duration_seconds{tool}`: tool calls;
/// - `trellis_runs_running`: runs this process runs now.
public final class ServerMetrics: RunMetrics {
    /// The registry the metrics are in.
    public let registry = PrometheusCollectorRegistry()

    static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]

    /// Empty metrics.
    public init() {}

    private func descriptor(_ name: String, unit: String? = nil, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "trellis", metricName: name, unitName: unit, helpText: help)
    }

    public func modelCall(agent: String, duration: Duration) {
        registry.makeCounter(descriptor: descriptor("turns", unit: "total", "Model calls"), labels: [("agent", agent)])
            .increment()
        registry.makeDurationHistogram(
            descriptor: descriptor("model_call_duration", unit: "seconds", "Time from a model call to its reply"),
            labels: [("agent", agent)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    public func toolCall(tool: String, outcome: String, duration: Duration?) {
        registry.makeCounter(
            descriptor: descriptor("tool_calls", unit: "total", "Tool calls by tool and outcome"),
            labels: [("tool", tool), ("outcome", outcome)]
        ).increment()
        if let duration {
            registry.makeDurationHistogram(
                descriptor: descriptor("tool_call_duration", unit: "seconds", "Time a tool ran"),
                labels: [("tool", tool)], buckets: Self.latencyBuckets
            ).record(duration)
        }
    }

    public func runEnded(status: RunStatus) {
        registry.makeCounter(
            descriptor: descriptor("runs_ended", unit: "total", "Runs this process ended, by status"),
            labels: [("status", status.rawValue)]
        ).increment()
    }

    /// The exposition text, with the store's counts and this process's running runs brought up to date.
    func exposition(counts: [RunStatus: Int], running: Int) -> String {
        for status in RunStatus.allCases {
            registry.makeGauge(
                descriptor: descriptor("runs", "Runs in the store by status"), labels: [("status", status.rawValue)]
            )
            .set(Double(counts[status] ?? 0))
        }
        registry.makeGauge(descriptor: descriptor("queue_depth", "Runs waiting for a worker")).set(
            Double(counts[.queued] ?? 0))
        registry.makeGauge(descriptor: descriptor("runs_running", "Runs this process runs now")).set(Double(running))
        return registry.emitToString()
    }
}
