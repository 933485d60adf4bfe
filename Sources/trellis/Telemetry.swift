import Foundation
import OTel
import ServiceLifecycle

/// OpenTelemetry traces for `trellis serve` and `trellis worker`: the spans of every run (run, route, turn,
/// model.call, tool.call), exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. The other `OTEL_*` variables of the specification apply
/// (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_SCHEDULE_DELAY`, headers...). Logs and metrics are not
/// exported: logs go to standard error, metrics to `/metrics`.
enum Telemetry {
    /// The exporter's service, to run first in the service group (so it stops last and sends the last spans);
    /// `nil` when no endpoint is set.
    static func service(name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (any Service)?
    {
        guard
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil
                || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
        else { return nil }
        if let chosen = environment["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] ?? environment["OTEL_EXPORTER_OTLP_PROTOCOL"],
            chosen != "http/protobuf"
        {
            throw CLIFailure.invalid(
                "OTEL_EXPORTER_OTLP_PROTOCOL '\(chosen)': this trellis exports traces over http/protobuf only",
                code: .invalidUsage)
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = name
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        do {
            return try OTel.bootstrap(configuration: configuration, environment: environment)
        } catch {
            throw CLIFailure(message: "OpenTelemetry: \(error)", exitCode: 1, code: .setupFailed)
        }
    }
}
