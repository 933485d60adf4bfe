import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrellisCore
import TrellisRuntime
import TrellisServer
import TrellisTesting

/// The OpenAI-compatible endpoint, auth and operations endpoints, in process.
@Suite struct ServerAPITests {
    @Test("GET /v1/models lists the agents in OpenAI's shape")
    func models() async throws {
        try await ServerFixture.with { client, _ in
            let (status, _, json) = try await client.json(.get, "/v1/models")
            #expect(status == .ok)
            #expect(json["object"] == "list")
            #expect(
                json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [
                    "careful", "greeter", "helper", "limited", "triage",
                ])
            #expect(json["data"]?.arrayValue?.first?["object"] == "model")
            let one = try await client.json(.get, "/v1/models/helper")
            #expect(one.json["id"] == "helper")
            let none = try await client.json(.get, "/v1/models/nobody")
            #expect(none.status == .notFound)
            #expect(none.json["error"]?["code"] == "model_not_found")
        }
    }

    @Test("a chat completion runs the tool loop on the server and answers chat.completion with usage and the run id")
    func completion() async throws {
        try await ServerFixture.with { client, fixture in
            let (status, headers, json) = try await client.json(
                .post, "/v1/chat/completions",
                [
                    "model": "helper",
                    "messages": [["role": "user", "content": #"call calculator {"expression":"6*7"}"#]],
                ])
            #expect(status == .ok, "\(json)")
            #expect(json["object"] == "chat.completion")
            #expect(json["model"] == "helper")
            #expect(json["choices"]?[0]?["message"]?["content"] == "done: 42")
            #expect(json["choices"]?[0]?["message"]?["role"] == "assistant")
            #expect(json["choices"]?[0]?["finish_reason"] == "stop")
            #expect(json["usage"] == ["prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50])
            let runID = try #require(headers[HTTPField.Name("X-Trellis-Run-Id")!])
            #expect(json["id"]?.stringValue == "chatcmpl-" + runID.dropFirst(4))
            // Two model calls: the agent's prompt first, then the tool's result.
            #expect(fixture.server.requests.count == 2)
            let sent = fixture.server.requests.last?.json?["messages"]?.arrayValue ?? []
            #expect(sent.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "tool"])
            let run = try await client.json(.get, "/v1/runs/\(runID)")
            #expect(run.json["status"] == "succeeded")
        }
    }

    @Test("a streamed completion sends chat.completion.chunk events, the usage chunk when asked, then [DONE]")
    func streamedCompletion() async throws {
        try await ServerFixture.with { client, _ in
            let body: JSONValue = [
                "model": "helper", "stream": true, "stream_options": ["include_usage": true],
                "messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "hello"]],
            ]
            let text = try await client.execute(
                uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: body.serialized())
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/event-stream")
                return String(buffer: response.body)
            }
            let data = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { $0.dropFirst(6) }
            #expect(data.last == "[DONE]")
            let chunks = data.dropLast().compactMap { try? JSONValue.parse(String($0)) }
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            #expect(chunks.first?["choices"]?[0]?["delta"]?["role"] == "assistant")
            let content = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
            #expect(content == "echo: hello")
            #expect(chunks.dropLast().last?["choices"]?[0]?["finish_reason"] == "stop")
            #expect(chunks.last?["choices"] == [])
            #expect(chunks.last?["usage"]?["total_tokens"] == 25)
        }
    }

    @Test("the agent's prompt comes first and a client's system messages follow it; the history is sent as it was")
    func messagesAndSystem() async throws {
        try await ServerFixture.with { client, fixture in
            let (status, _, _) = try await client.json(
                .post, "/v1/chat/completions",
                [
                    "model": "helper",
                    "messages": [
                        ["role": "system", "content": "Answer in French."], ["role": "user", "content": "hi"],
                        ["role": "assistant", "content": "salut"], ["role": "user", "content": "again"],
                    ],
                ])
            #expect(status == .ok)
            let sent = fixture.server.requests.last?.json?["messages"]?.arrayValue ?? []
            #expect(sent.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "user"])
            #expect(sent.first?["content"] == "You help.\n\nAnswer in French.")
            #expect(sent.last?["content"] == "again")
        }
    }

    @Test("errors are OpenAI's JSON: an unknown model is 404 model_not_found, bad input 400 naming the field")
    func errors() async throws {
        try await ServerFixture.with { client, _ in
            let unknown = try await client.json(
                .post, "/v1/chat/completions", ["model": "helpr", "messages": [["role": "user", "content": "hi"]]])
            #expect(unknown.status == .notFound)
            #expect(unknown.json["error"]?["code"] == "model_not_found")
            #expect(unknown.json["error"]?["type"] == "invalid_request_error")
            #expect(unknown.json["error"]?["param"] == "model")
            #expect(
                unknown.json["error"]?["message"]?.stringValue?.hasPrefix("no agent 'helpr' (did you mean 'helper'?)")
                    == true, "\(unknown.json)")

            let cases: [(JSONValue, String)] = [
                (["messages": [["role": "user", "content": "hi"]]], "'model' is required"),
                (["model": "helper"], "'messages' must be a non-empty array"),
                (
                    ["model": "helper", "messages": [["role": "robot", "content": "hi"]]],
                    "'messages[0].role' is 'robot'"
                ),
                (
                    ["model": "helper", "messages": [["role": "assistant", "content": "hi"]]],
                    "the last message must be"
                ),
                (
                    [
                        "model": "helper", "messages": [["role": "user", "content": "hi"]],
                        "tools": [["type": "function"]],
                    ], "'tools' cannot be given"
                ),
                (
                    ["model": "helper", "messages": [["role": "user", "content": "hi"]], "bogus": 1],
                    "unknown parameter 'bogus'"
                ),
            ]
            for (body, message) in cases {
                let response = try await client.json(.post, "/v1/chat/completions", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.json["error"]?["message"]?.stringValue?.contains(message) == true, "\(response.json)")
            }
            let notJSON = try await client.execute(
                uri: "/v1/chat/completions", method: .post, body: ByteBuffer(string: "{nope")
            ) { $0 }
            #expect(notJSON.status == .badRequest)
            #expect(String(buffer: notJSON.body).contains("not valid JSON"))
        }
    }

    @Test("a run the model cannot finish is an error: max_turns answers 500 with the run's error")
    func failedCompletion() async throws {
        try await ServerFixture.with { client, _ in
            let response = try await client.json(
                .post, "/v1/chat/completions",
                [
                    "model": "limited",
                    "messages": [["role": "user", "content": #"call calculator {"expression":"1+1"}"#]],
                ])
            #expect(response.status == .internalServerError)
            #expect(response.json["error"]?["code"] == "max_turns")
            #expect(response.json["error"]?["type"] == "server_error")
        }
    }

    @Test("with tokens, a request without one is 401 and one with a wrong one too; /healthz needs none")
    func bearerTokens() async throws {
        let token = "tok-0123456789abcdef"
        try await ServerFixture.with(configuration: ServerConfiguration(port: 0, tokens: [token])) { client, _ in
            let none = try await client.json(.get, "/v1/models")
            #expect(none.status == .unauthorized)
            #expect(none.json["error"]?["code"] == "missing_token")
            let wrong = try await client.json(
                .get, "/v1/models", headers: [.authorization: "Bearer tok-0123456789abcdeX"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.json["error"]?["code"] == "invalid_token")
            let right = try await client.json(.get, "/v1/models", headers: [.authorization: "Bearer \(token)"])
            #expect(right.status == .ok)
            #expect(try await client.json(.get, "/healthz").status == .ok)
            #expect(try await client.json(.get, "/readyz").status == .ok)
        }
    }

    @Test("a non-loopback address without tokens is refused; short tokens too")
    func configurationChecks() {
        #expect(throws: ServerConfigurationError.self) { try ServerConfiguration(host: "0.0.0.0").validate() }
        #expect(throws: ServerConfigurationError.self) {
            try ServerConfiguration(host: "0.0.0.0", tokens: ["short"]).validate()
        }
        #expect(throws: Never.self) {
            try ServerConfiguration(host: "0.0.0.0", tokens: ["tok-0123456789abcdef"]).validate()
        }
        #expect(throws: Never.self) { try ServerConfiguration(host: "127.0.0.1").validate() }
        #expect(ServerConfiguration.tokens(from: " a , b,,c ") == ["a", "b", "c"])
    }

    @Test("a body over the limit is 413 in OpenAI's shape")
    func bodyLimit() async throws {
        try await ServerFixture.with(configuration: ServerConfiguration(port: 0, bodyLimit: 2048)) { client, _ in
            let big = String(repeating: "x", count: 4096)
            let response = try await client.json(
                .post, "/v1/chat/completions",
                ["model": "helper", "messages": [["role": "user", "content": .string(big)]]])
            #expect(response.status == .contentTooLarge)
            #expect(response.json["error"]?["code"] == "request_too_large")
        }
    }

    @Test("/metrics has runs by status, the queue depth, turns, tool calls by tool and outcome and latency histograms")
    func metrics() async throws {
        try await ServerFixture.with { client, _ in
            _ = try await client.json(
                .post, "/v1/chat/completions",
                [
                    "model": "helper",
                    "messages": [["role": "user", "content": #"call calculator {"expression":"6*7"}"#]],
                ])
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(text.contains(#"trellis_runs{status="succeeded"} 1.0"#), "\(text)")
            #expect(text.contains("trellis_queue_depth 0.0"))
            #expect(text.contains(#"trellis_turns_total{agent="helper"} 2"#))
            #expect(text.contains(#"trellis_tool_calls_total{tool="calculator",outcome="ok"} 1"#))
            #expect(text.contains(#"trellis_model_call_duration_seconds_count{agent="helper"} 2"#))
            #expect(text.contains(#"trellis_tool_call_duration_seconds_count{tool="calculator"} 1"#))
            #expect(text.contains(#"trellis_runs_ended_total{status="succeeded"} 1"#))
        }
    }

    @Test("a completion whose call needs approval answers 409 approval_required naming the run")
    func completionNeedsApproval() async throws {
        try await ServerFixture.with { client, _ in
            let response = try await client.json(
                .post, "/v1/chat/completions",
                [
                    "model": "careful",
                    "messages": [["role": "user", "content": #"call calculator {"expression":"1+1"}"#]],
                ])
            #expect(response.status == .conflict)
            #expect(response.json["error"]?["code"] == "approval_required")
            let runID = try #require(response.headers[HTTPField.Name("X-Trellis-Run-Id")!])
            #expect(
                response.json["error"]?["message"]?.stringValue?.contains("POST /v1/runs/\(runID)/approvals") == true)
        }
    }

    @Test("a routing agent as the model: the route picks the agent that answers, and the run's events show it")
    func routedCompletion() async throws {
        try await ServerFixture.with { client, _ in
            let (status, headers, json) = try await client.json(
                .post, "/v1/chat/completions",
                [
                    "model": "triage",
                    "messages": [["role": "user", "content": #"calculate: call calculator {"expression":"5*5"}"#]],
                ])
            #expect(status == .ok, "\(json)")
            #expect(json["choices"]?[0]?["message"]?["content"] == "done: 25")
            let runID = try #require(headers[HTTPField.Name("X-Trellis-Run-Id")!])
            let run = try await client.json(.get, "/v1/runs/\(runID)").json
            #expect(run["result"]?["agent"] == "helper")
            #expect(run["result"]?["route"]?["label"] == "maths")
            let events = try await client.events(runID)
            #expect(events.contains { $0.event == "route" && $0.data["agent"] == "helper" })
        }
    }
}
