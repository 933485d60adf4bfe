import Testing
import TrellisCore
import TrellisTesting

/// `RunResult.json` has the stable shape `trellis run --json` prints.
struct RunResultJSONTests {
    @Test("the top level has exactly the documented keys, in order")
    func topLevelKeys() async throws {
        let (result, _) = await runScript(
            [
                .call("echo", #"{"text":"hi"}"#, usage: Usage(inputTokens: 3, outputTokens: 4)),
                .answer("bye", usage: Usage(inputTokens: 5, outputTokens: 6)),
            ], tools: [EchoTool()])
        let object = try #require(result.json.objectValue)

        #expect(
            object.keys == [
                "agent", "model", "output", "finish_reason", "route", "turns", "tool_calls", "usage", "error",
            ])
        #expect(object["agent"] == "tester")
        #expect(object["output"] == "bye")
        #expect(object["finish_reason"] == "stop")
        #expect(object["route"] == .null)
        #expect(object["turns"] == 2)
        #expect(object["error"] == .null)

        let usage = try #require(object["usage"]?.objectValue)
        #expect(usage.keys == ["input_tokens", "output_tokens", "total_tokens", "cost"])
        #expect(usage["input_tokens"] == 8)
        #expect(usage["output_tokens"] == 10)
        #expect(usage["total_tokens"] == 18)
        #expect(usage["cost"] == .null)

        let calls = try #require(object["tool_calls"]?.arrayValue)
        #expect(calls.count == 1)
        let call = try #require(calls.first?.objectValue)
        #expect(call.keys == ["name", "arguments", "is_error", "content"])
        #expect(call["name"] == "echo")
        #expect(call["arguments"] == ["text": "hi"])
        #expect(call["is_error"] == false)
        #expect(call["content"] == "echo: hi")
    }

    @Test("a failed run carries error code and message; cost appears when known")
    func errorAndCost() throws {
        let result = RunResult(
            agent: "a", output: "", finishReason: .maxTurns,
            route: RouteDecision(label: "billing", agent: "b", confidence: 0.5, classifier: "keyword"), turns: 10,
            toolCalls: [], usage: Usage(inputTokens: 1, outputTokens: 2, cost: 0.25),
            error: RunError(code: "max_turns", message: "too many"), transcript: [])

        #expect(
            result.json.serialized()
                == #"{"agent":"a","model":null,"output":"","finish_reason":"max_turns","route":{"label":"billing","agent":"b","confidence":0.5,"classifier":"keyword","runner_up":null,"scores":{},"evidence":{},"fallback_reason":null,"latency_ms":0,"usage":null},"turns":10,"tool_calls":[],"usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3,"cost":0.25},"error":{"code":"max_turns","message":"too many"}}"#
        )
    }

    @Test("usage is null when no model call reported any, and sums the calls that did")
    func usageNullWhenUnreported() async throws {
        let (silent, _) = await runScript([.call("echo", "{}"), .answer("ok")], tools: [EchoTool()])
        #expect(silent.usage == nil)
        #expect(silent.json["usage"] == .null)

        let (partly, _) = await runScript(
            [.call("echo", "{}"), .answer("ok", usage: Usage(inputTokens: 5, outputTokens: 6))], tools: [EchoTool()])
        #expect(partly.usage == Usage(inputTokens: 5, outputTokens: 6))
    }

    @Test("invalid arguments are recorded as the raw text")
    func rawArgumentsKept() async throws {
        let (result, _) = await runScript([.call("echo", "{oops"), .answer("ok")], tools: [EchoTool()])
        let call = try #require(result.json["tool_calls"]?.arrayValue?.first)

        #expect(call["arguments"] == "{oops")
        #expect(call["is_error"] == true)
    }
}
