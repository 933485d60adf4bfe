import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `trellis run` against a fake OpenAI-compatible server, as a user runs it.
@Suite(.serialized) struct RunCommandTests {
    static let agent = """
        description: Calculates
        model: fake/test-model
        system: Use the calculator.
        tools: [calculator, clock]
        """

    static func workspace(_ baseURL: String, key: String = "sk-test-key") -> String {
        "providers:\n  fake:\n    kind: openai\n    base_url: \(baseURL)\n    api_key: \(key)\n    max_retries: 0\n"
    }

    static let toolCallReply = #"""
        {"id":"c1","object":"chat.completion","model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_a1","type":"function","function":{"name":"calculator","arguments":"{\"expression\":\"6*7\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":50,"completion_tokens":10,"total_tokens":60}}
        """#

    static let answerReply = #"""
        {"id":"c2","object":"chat.completion","model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":"The answer is 42."},"finish_reason":"stop"}],"usage":{"prompt_tokens":70,"completion_tokens":6,"total_tokens":76}}
        """#

    @Test func jsonResultOfAToolCallRoundTrip() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(Self.toolCallReply), .json(Self.answerReply))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": Self.workspace(server.baseURL),
            ])
            let outcome = try await cli.run(["run", "calc", "What is 6*7?", "--json"])
            #expect(outcome.status == 0)
            #expect(RunProgressTests.timeless(outcome.stderr) == "✓ calculator {\"expression\":\"6*7\"} <d>\n")
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["agent"] == "calc")
            #expect(json["output"] == "The answer is 42.")
            #expect(json["finish_reason"] == "stop")
            #expect(json["route"] == .null)
            #expect(json["turns"] == 2)
            #expect(
                json["tool_calls"] == [
                    ["name": "calculator", "arguments": ["expression": "6*7"], "is_error": false, "content": "42"]
                ])
            #expect(json["usage"] == ["input_tokens": 120, "output_tokens": 16, "total_tokens": 136, "cost": nil])
            #expect(json["error"] == .null)
            #expect(
                json.objectValue?.keys == [
                    "agent", "model", "output", "finish_reason", "route", "turns", "tool_calls", "usage", "error",
                ])
            #expect(json["model"] == "fake/test-model")

            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.first?.header("Authorization") == "Bearer sk-test-key")
            let messages = try #require(requests.last?.json?["messages"]?.arrayValue)
            #expect(messages.last == ["role": "tool", "tool_call_id": "call_a1", "content": "42"])
        }
    }

    @Test func plainOutputAndStdinInput() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(Self.answerReply))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": Self.workspace(server.baseURL),
            ])
            let outcome = try await cli.run(["run", "agents/calc.yaml"], stdin: "What is 6*7?\n")
            #expect(outcome.status == 0)
            #expect(outcome.stdout == "The answer is 42.\n")
            let user = server.requests.first?.json?["messages"]?.arrayValue?.last
            #expect(user == ["role": "user", "content": "What is 6*7?"])
        }
    }

    @Test func streamPrintsTextAsItArrivesAndVerboseShowsTurns() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .eventStream([
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"expression\\\":\\\"6*7\\\"}\"}}]},\"finish_reason\":null}]}\n\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                ]),
                .eventStream([
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"The answer \"},\"finish_reason\":null}]}\n\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"is 42.\"},\"finish_reason\":null}]}\n\n",
                    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                ]))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": Self.workspace(server.baseURL),
            ])
            let outcome = try await cli.run(["run", "calc", "6*7?", "--stream", "-v"])
            #expect(outcome.status == 0)
            #expect(outcome.stdout == "The answer is 42.\n")
            #expect(outcome.stderr.contains("· turn 1\n"))
            #expect(outcome.stderr.contains("→ calculator {\"expression\":\"6*7\"}\n"))
            #expect(
                RunProgressTests.timeless(outcome.stderr).contains("✓ calculator {\"expression\":\"6*7\"} <d>: 42\n"))
            #expect(outcome.stderr.contains("· finished: stop after 2 turn(s)\n"))
            #expect(server.requests.first?.json?["stream"] == true)
        }
    }

    @Test func unreachableProviderIsOneLineAndExitOne() async throws {
        let cli = try CLIHarness(files: [
            "agents/calc.yaml": Self.agent, "trellis.yaml": Self.workspace("http://127.0.0.1:9/v1"),
        ])
        let outcome = try await cli.run(["run", "calc", "hi"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout == "")
        #expect(outcome.stderr == "error: provider 'fake': cannot reach http://127.0.0.1:9/v1: connection refused\n")
    }

    @Test func providerErrorNeverShowsTheKey() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}"#,
                    status: 401))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": Self.workspace(server.baseURL, key: "sk-very-secret"),
            ])
            let outcome = try await cli.run(["run", "calc", "hi", "--json"])
            #expect(outcome.status == 1)
            #expect(
                outcome.stderr == "error: provider 'fake': HTTP 401: Incorrect API key provided (invalid_api_key)\n")
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["finish_reason"] == "error")
            #expect(json["error"]?["code"] == "provider_http_error")
            #expect(!outcome.stdout.contains("sk-very-secret") && !outcome.stderr.contains("sk-very-secret"))
        }
    }

    @Test func turnLimitEndsTheRunWithExitOne() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(Self.toolCallReply))
            let agent = Self.agent + "\nlimits: {max_turns: 1}\n"
            let cli = try CLIHarness(files: ["agents/calc.yaml": agent, "trellis.yaml": Self.workspace(server.baseURL)])
            let outcome = try await cli.run(["run", "calc", "6*7", "--json"])
            #expect(outcome.status == 1)
            #expect(try JSONValue.parse(outcome.stdout)["finish_reason"] == "max_turns")
            #expect(
                RunProgressTests.timeless(outcome.stderr)
                    == "✓ calculator {\"expression\":\"6*7\"} <d>\nerror: reached limits.max_turns (1) without a final answer\n"
            )
        }
    }
}
