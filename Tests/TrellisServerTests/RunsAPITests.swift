import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TrellisCore
import TrellisRuntime
import TrellisServer
import TrellisTesting

/// The runs API in process: submit, read, list, follow, cancel, approve.
@Suite struct RunsAPITests {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    static func decide(_ callID: String, _ decision: String) -> JSONValue {
        ["decisions": .object(JSONObject([(callID, .string(decision))]))]
    }

    @Test("POST /v1/runs answers 202 {id, status}; the run finishes with the --json result")
    func submitAndRead() async throws {
        try await ServerFixture.with { client, _ in
            let (status, headers, json) = try await client.json(
                .post, "/v1/runs", ["agent": "helper", "input": #"call calculator {"expression":"2+3"}"#])
            #expect(status == .accepted, "\(json)")
            let id = try #require(json["id"]?.stringValue)
            #expect(id.hasPrefix("run_"))
            #expect(json["status"] == "queued")
            #expect(headers[.location] == "/v1/runs/\(id)")
            let run = try await client.settled(id)
            #expect(run["status"] == "succeeded")
            #expect(run["agent"] == "helper")
            #expect(run["attempt"] == 1)
            let result = try #require(run["result"])
            #expect(result["output"] == "done: 5")
            #expect(result["finish_reason"] == "stop")
            #expect(result["turns"] == 2)
            #expect(
                result["tool_calls"] == [
                    ["name": "calculator", "arguments": ["expression": "2+3"], "is_error": false, "content": "5"]
                ])
            #expect(result["usage"]?["total_tokens"] == 50)
            #expect(result["error"] == .null)
        }
    }

    @Test("bad runs are refused with the field named: unknown agent 404, no input 400, unknown parameter 400")
    func badRuns() async throws {
        try await ServerFixture.with { client, _ in
            let unknown = try await client.json(.post, "/v1/runs", ["agent": "nobody", "input": "hi"])
            #expect(unknown.status == .notFound)
            #expect(unknown.json["error"]?["code"] == "agent_not_found")
            let cases: [(JSONValue, String)] = [
                (["input": "hi"], "'agent' is required"),
                (["agent": "helper"], "'input' is required"),
                (["agent": "helper", "input": 3], "'input' must be a string or an array of content parts"),
                (["agent": "greeter", "input": "hi", "params": ["whom": "Ann"]], "unknown parameter 'whom'"),
                (["agent": "helper", "input": "hi", "session": "no/slash"], "session"),
                (["agent": "helper", "input": "hi", "extra": true], "unknown field 'extra'"),
            ]
            for (body, message) in cases {
                let response = try await client.json(.post, "/v1/runs", body)
                #expect(response.status == .badRequest, "\(body) \(response.json)")
                #expect(response.json["error"]?["message"]?.stringValue?.contains(message) == true, "\(response.json)")
            }
            let missing = try await client.json(.get, "/v1/runs/run_nope")
            #expect(missing.status == .notFound)
            #expect(missing.json["error"]?["code"] == "run_not_found")
        }
    }

    @Test("params reach the agent's prompt")
    func params() async throws {
        try await ServerFixture.with { client, fixture in
            let (_, _, json) = try await client.json(
                .post, "/v1/runs", ["agent": "greeter", "input": "hi", "params": ["who": "Ann"]])
            let run = try await client.settled(try #require(json["id"]?.stringValue))
            #expect(run["status"] == "succeeded")
            #expect(fixture.server.requests.last?.json?["messages"]?[0]?["content"] == "Greet Ann.")
        }
    }

    @Test("the same Idempotency-Key gives the same run; with another body it is 409")
    func idempotency() async throws {
        try await ServerFixture.with { client, fixture in
            let body: JSONValue = ["agent": "helper", "input": "hello"]
            let first = try await client.json(.post, "/v1/runs", body, headers: [Self.idempotencyKey: "order-17"])
            let second = try await client.json(.post, "/v1/runs", body, headers: [Self.idempotencyKey: "order-17"])
            #expect(first.json["id"] == second.json["id"])
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            _ = try await client.settled(try #require(first.json["id"]?.stringValue))
            #expect(fixture.server.requests.count == 1)
            let other = try await client.json(
                .post, "/v1/runs", ["agent": "helper", "input": "bye"], headers: [Self.idempotencyKey: "order-17"])
            #expect(other.status == .conflict)
            #expect(other.json["error"]?["code"] == "idempotency_conflict")
        }
    }

    @Test("SSE: every event has its sequence number as id; Last-Event-ID replays only what follows")
    func eventsReplay() async throws {
        try await ServerFixture.with { client, _ in
            let (_, _, json) = try await client.json(
                .post, "/v1/runs", ["agent": "helper", "input": #"call calculator {"expression":"6*7"}"#])
            let id = try #require(json["id"]?.stringValue)
            let all = try await client.events(id)
            #expect(all.map(\.id) == Array(1...all.count))
            let kinds = all.map(\.event).filter { $0 != "text.delta" && $0 != "usage" }
            #expect(
                kinds == ["run.started", "turn.started", "tool.call", "tool.result", "turn.started", "run.finished"],
                "\(all.map(\.event))")
            #expect(
                all.filter { $0.event == "text.delta" }.compactMap { $0.data["text"]?.stringValue }.joined()
                    == "done: 42")
            #expect(all.first { $0.event == "tool.result" }?.data["content"] == "42")
            #expect(all.last?.data["status"] == "succeeded")
            #expect(all.last?.data["result"]?["output"] == "done: 42")
            let rest = try await client.events(id, after: 5)
            #expect(rest.map(\.id) == Array(6...all.count))
            #expect(rest.map(\.event) == all.dropFirst(5).map(\.event))
            let none = try await client.events(id, after: all.count)
            #expect(none.isEmpty)
        }
    }

    @Test("an SSE follower that connects before the run ends sees every event live, and the stream ends with it")
    func eventsFollow() async throws {
        try await ServerFixture.with(delay: .milliseconds(300)) { client, _ in
            let (_, _, json) = try await client.json(
                .post, "/v1/runs", ["agent": "helper", "input": #"call calculator {"expression":"1+2"}"#])
            let id = try #require(json["id"]?.stringValue)
            let events = try await client.events(id)
            #expect(events.map(\.id) == Array(1...events.count))
            #expect(events.last?.event == "run.finished")
            #expect(events.last?.data["result"]?["output"] == "done: 3")
        }
    }

    @Test("a call whose rule is ask parks the run as waiting_approval; POST approvals resumes it")
    func approvals() async throws {
        try await ServerFixture.with { client, fixture in
            let (_, _, json) = try await client.json(
                .post, "/v1/runs", ["agent": "careful", "input": #"call calculator {"expression":"7*6"}"#])
            let id = try #require(json["id"]?.stringValue)
            let parked = try await client.settled(id)
            #expect(parked["status"] == "waiting_approval")
            let pending = try #require(parked["pending_approvals"]?.arrayValue)
            #expect(pending.count == 1)
            #expect(pending.first?["name"] == "calculator")
            #expect(pending.first?["arguments"] == ["expression": "7*6"])
            let callID = try #require(pending.first?["id"]?.stringValue)
            #expect(fixture.server.requests.count == 1)

            let wrong = try await client.json(.post, "/v1/runs/\(id)/approvals", ["decisions": ["call_9": "approve"]])
            #expect(wrong.status == .conflict)
            #expect(wrong.json["error"]?["message"]?.stringValue?.contains("no pending call 'call_9'") == true)
            let bad = try await client.json(.post, "/v1/runs/\(id)/approvals", ["decisions": [callID: "maybe"]])
            #expect(bad.status == .badRequest)

            let approved = try await client.json(.post, "/v1/runs/\(id)/approvals", Self.decide(callID, "approve"))
            #expect(approved.status == .ok, "\(approved.json)")
            let done = try await client.settled(id)
            #expect(done["status"] == "succeeded")
            #expect(done["result"]?["output"] == "done: 42")
            let events = try await client.events(id)
            #expect(events.contains { $0.event == "approval.required" })
            #expect(events.map(\.id) == Array(1...events.count))
            #expect(events.filter { $0.event == "run.finished" }.map { $0.data["status"] } == ["succeeded"])
            #expect(events.first { $0.event == "approval.required" }?.data["calls"]?[0]?["name"] == "calculator")

            let again = try await client.json(.post, "/v1/runs/\(id)/approvals", Self.decide(callID, "deny"))
            #expect(again.status == .conflict)
        }
    }

    @Test("a denied call is answered as declined and the model goes on")
    func denial() async throws {
        try await ServerFixture.with { client, _ in
            let (_, _, json) = try await client.json(
                .post, "/v1/runs", ["agent": "careful", "input": #"call calculator {"expression":"7*6"}"#])
            let id = try #require(json["id"]?.stringValue)
            let parked = try await client.settled(id)
            let callID = try #require(parked["pending_approvals"]?[0]?["id"]?.stringValue)
            _ = try await client.json(.post, "/v1/runs/\(id)/approvals", Self.decide(callID, "deny"))
            let done = try await client.settled(id)
            #expect(done["status"] == "succeeded")
            #expect(done["result"]?["output"] == "done: not executed: the user declined the call to 'calculator'")
        }
    }

    @Test("cancel: a running run ends cancelled; a finished one is left as it is")
    func cancel() async throws {
        try await ServerFixture.with(delay: .seconds(20)) { client, _ in
            let (_, _, json) = try await client.json(.post, "/v1/runs", ["agent": "helper", "input": "slow"])
            let id = try #require(json["id"]?.stringValue)
            #expect(
                try await Poll.until { try await client.json(.get, "/v1/runs/\(id)").json["status"] == "running" })
            let cancelled = try await client.json(.post, "/v1/runs/\(id)/cancel")
            #expect(cancelled.status == .accepted)
            let run = try await client.settled(id)
            #expect(run["status"] == "cancelled")
            #expect(run["result"]?["error"]?["code"] == "cancelled")
            let again = try await client.json(.post, "/v1/runs/\(id)/cancel")
            #expect(again.status == .ok)
            #expect(again.json["status"] == "cancelled")
        }
    }

    @Test("with no worker a queued run is cancelled at once; the queue limit answers 429 with Retry-After")
    func queue() async throws {
        try await ServerFixture.with(configuration: ServerConfiguration(port: 0, queueLimit: 2), concurrency: 0) {
            client, _ in
            var ids: [String] = []
            for _ in 0..<2 {
                let (status, _, json) = try await client.json(.post, "/v1/runs", ["agent": "helper", "input": "hi"])
                #expect(status == .accepted)
                ids.append(try #require(json["id"]?.stringValue))
            }
            let full = try await client.json(.post, "/v1/runs", ["agent": "helper", "input": "hi"])
            #expect(full.status == .tooManyRequests)
            #expect(full.headers[.retryAfter] == "1")
            #expect(full.json["error"]?["code"] == "queue_full")
            #expect(full.json["error"]?["type"] == "rate_limit_error")

            let cancelled = try await client.json(.post, "/v1/runs/\(ids[0])/cancel")
            #expect(cancelled.json["status"] == "cancelled")
            let events = try await client.events(ids[0])
            #expect(events.map(\.event) == ["run.finished"])
            #expect(try await client.json(.post, "/v1/runs", ["agent": "helper", "input": "hi"]).status == .accepted)
        }
    }

    @Test("GET /v1/runs lists newest first, filters by status and agent, and pages with a cursor")
    func list() async throws {
        try await ServerFixture.with(concurrency: 0) { client, _ in
            var ids: [String] = []
            for agent in ["helper", "helper", "careful"] {
                let (_, _, json) = try await client.json(.post, "/v1/runs", ["agent": .string(agent), "input": "hi"])
                ids.append(try #require(json["id"]?.stringValue))
            }
            _ = try await client.json(.post, "/v1/runs/\(ids[1])/cancel")
            let all = try await client.json(.get, "/v1/runs").json
            #expect(all["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ids.reversed())
            #expect(all["next_cursor"] == .null)
            let queued = try await client.json(.get, "/v1/runs?status=queued").json
            #expect(queued["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[2], ids[0]])
            let helper = try await client.json(.get, "/v1/runs?agent=helper&status=queued").json
            #expect(helper["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[0]])
            let page = try await client.json(.get, "/v1/runs?limit=2").json
            #expect(page["data"]?.arrayValue?.count == 2)
            let cursor = try #require(page["next_cursor"]?.stringValue)
            let next = try await client.json(.get, "/v1/runs?limit=2&cursor=\(cursor)").json
            #expect(next["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[0]])
            #expect(try await client.json(.get, "/v1/runs?status=sleeping").status == .badRequest)
            #expect(try await client.json(.get, "/v1/runs?limit=0").status == .badRequest)
        }
    }

    @Test("an agent at its concurrency limit runs one run at a time; another agent's runs go on beside it")
    func agentLimit() async throws {
        try await ServerFixture.with(delay: .milliseconds(300), agentLimits: ["helper": 1]) { client, _ in
            var ids: [String] = []
            for agent in ["helper", "helper", "greeter"] {
                var body: JSONObject = ["agent": .string(agent), "input": "hi"]
                if agent == "greeter" { body["params"] = ["who": "Bo"] }
                ids.append(
                    try #require(try await client.json(.post, "/v1/runs", .object(body)).json["id"]?.stringValue))
            }
            #expect(
                try await Poll.until { try await client.json(.get, "/v1/runs/\(ids[0])").json["status"] == "running" })
            #expect(
                try await Poll.until { try await client.json(.get, "/v1/runs/\(ids[2])").json["status"] == "running" })
            #expect(try await client.json(.get, "/v1/runs/\(ids[1])").json["status"] == "queued")
            for id in ids { #expect(try await client.settled(id)["status"] == "succeeded") }
        }
    }

    @Test("runs with a session continue its conversation, one after another, and the session keeps it")
    func sessions() async throws {
        try await ServerFixture.with { client, fixture in
            var ids: [String] = []
            for text in ["first", "second"] {
                let (status, _, json) = try await client.json(
                    .post, "/v1/runs", ["agent": "helper", "input": .string(text), "session": "talk"])
                #expect(status == .accepted)
                ids.append(try #require(json["id"]?.stringValue))
            }
            for id in ids { #expect(try await client.settled(id)["status"] == "succeeded") }
            let sent = fixture.server.requests.last?.json?["messages"]?.arrayValue ?? []
            #expect(sent.map { $0["content"]?.stringValue ?? "" } == ["You help.", "first", "echo: first", "second"])
            let stored = try await SessionStore.open(path: fixture.folder.path(".trellis/trellis.db"))
            let session = try #require(try await stored.session("talk"))
            #expect(session.summary.agent == "helper")
            #expect(session.state.transcript.count == 5)
            #expect(session.state.output == "echo: second")
            await stored.close()

            let other = try await client.json(
                .post, "/v1/runs", ["agent": "careful", "input": "hi", "session": "talk"])
            let run = try await client.settled(try #require(other.json["id"]?.stringValue))
            #expect(run["status"] == "failed")
            #expect(
                run["result"]?["error"]?["message"]?.stringValue?.contains("is a conversation with agent 'helper'")
                    == true)
        }
    }
}
