import Foundation
import Testing
import TrellisCore
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// OpenTelemetry traces from `trellis serve`, as a collector receives them: a loopback OTLP/HTTP receiver written
/// with the `opentelemetry-proto` package decodes what the server exports.
@Suite(.serialized) struct TraceExportTests {
    static let hasProto = ChildProcess.succeeds(
        "python3", ["-c", "from opentelemetry.proto.collector.trace.v1 import trace_service_pb2"])

    /// Answers POST /v1/traces, writing each span as one JSON line: name, ids, parent and attributes.
    static let receiver = """
        import json, sys
        from http.server import BaseHTTPRequestHandler, HTTPServer
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

        def value(v):
            kind = v.WhichOneof("value")
            if kind == "array_value":
                return [value(item) for item in v.array_value.values]
            return getattr(v, kind) if kind else None

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = trace_service_pb2.ExportTraceServiceRequest()
                request.ParseFromString(body)
                with open(sys.argv[2], "a") as out:
                    for resource in request.resource_spans:
                        service = {a.key: value(a.value) for a in resource.resource.attributes}.get("service.name")
                        for scope in resource.scope_spans:
                            for span in scope.spans:
                                out.write(json.dumps({
                                    "name": span.name, "id": span.span_id.hex(), "parent": span.parent_span_id.hex(),
                                    "trace": span.trace_id.hex(), "service": service, "status": span.status.code,
                                    "attributes": {a.key: value(a.value) for a in span.attributes},
                                }) + "\\n")
                reply = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            def log_message(self, *args):
                pass

        HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """

    @Test(
        "a routed run with a tool call exports run → route → turn → model.call / tool.call over OTLP/HTTP",
        .enabled(if: hasProto, "opentelemetry-proto is not installed (pip install opentelemetry-proto)"))
    func routedRunSpans() async throws {
        try await FakeVendorServer.withServer { fake in
            fake.respond(with: OpenAIFake.scripted())
            let cli = try CLIHarness(files: [
                "trellis.yaml":
                    "providers:\n  fake:\n    kind: openai\n    base_url: \(fake.baseURL)\n    api_key: sk-test\n",
                "agents/desk.yaml": """
                model: fake/m
                routes:
                  classifier: keyword
                  to:
                    math: {agent: helper, description: sums, keywords: [calculator]}
                  fallback: helper
                """,
                "agents/helper.yaml": "model: fake/m\ntools: [calculator]\n",
                "receiver.py": Self.receiver,
            ])
            let spans = cli.root + "/spans.jsonl"
            let collectorPort = FreePort.next()
            // Stopped by cancelling its task (which kills it) when the test ends.
            let collector = Task {
                try await ChildProcess.run(
                    "/usr/bin/env", ["python3", "receiver.py", "\(collectorPort)", spans],
                    environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                    workingDirectory: cli.root, timeout: .seconds(300))
            }
            defer { collector.cancel() }
            let servers = ServeCommandTests.Servers()
            let server = servers.start(
                cli,
                environment: [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collectorPort)",
                    "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_SERVICE_NAME": "trellis-test",
                ])
            do {
                try await server.ready()
                let submitted = try await ServeCommandTests.HTTP.request(
                    "POST", "\(server.url)/v1/runs",
                    ["agent": "desk", "input": #"call calculator {"expression":"6*7"}"#])
                let id = try #require(submitted.json["id"]?.stringValue)
                let run = try await ServeCommandTests.HTTP.settled(server, id)
                #expect(run["status"] == "succeeded", "\(run)")

                func exported() -> [JSONValue] {
                    ((try? String(contentsOfFile: spans, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                        try? JSONValue.parse(String($0))
                    }
                }
                let complete = await Poll.until(timeout: .seconds(20)) {
                    exported().contains { $0["name"] == "run" }
                }
                try #require(complete, "no run span reached the collector: \(exported())")
                let all = exported()
                func named(_ name: String) -> [JSONValue] { all.filter { $0["name"]?.stringValue == name } }
                let runSpan = try #require(named("run").first)
                #expect(runSpan["service"] == "trellis-test")
                #expect(runSpan["attributes"]?["trellis.run.id"] == .string(id))
                #expect(runSpan["attributes"]?["gen_ai.agent.name"] == "desk")
                #expect(runSpan["attributes"]?["trellis.run.finish_reason"] == "stop")
                #expect(runSpan["attributes"]?["gen_ai.usage.input_tokens"] != nil)
                let route = try #require(named("route").first)
                #expect(route["parent"] == runSpan["id"])
                #expect(route["attributes"]?["trellis.route.agent"] == "helper")
                #expect(route["attributes"]?["trellis.route.classifier"] == "keyword")
                let turns = named("turn")
                #expect(turns.count == 2, "\(all)")
                #expect(turns.allSatisfy { $0["parent"] == route["id"] })
                let models = named("model.call")
                #expect(models.count == 2)
                #expect(models.allSatisfy { model in turns.contains { $0["id"] == model["parent"] } })
                #expect(models.first?["attributes"]?["gen_ai.request.model"] != nil)
                let tool = try #require(named("tool.call").first)
                #expect(tool["attributes"]?["gen_ai.tool.name"] == "calculator")
                #expect(tool["attributes"]?["trellis.tool.outcome"] == "ok")
                #expect(turns.contains { $0["id"] == tool["parent"] })
                #expect(Set(all.map { $0["trace"] }).count == 1, "one trace per run")
            } catch {
                await servers.stopAll()
                throw error
            }
            server.signal(SIGTERM)
            _ = try await server.exited.value
        }
    }
}
