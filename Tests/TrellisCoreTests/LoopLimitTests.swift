import Testing
import TrellisCore
import TrellisTesting

/// `limits`: turns, tool calls, tokens and wall-clock time end the run with a clear reason.
struct LoopLimitTests {
    /// One echo call per turn, each with different arguments so the repeat breaker stays quiet.
    private func echoTurns(_ count: Int) -> [Step] {
        (1...count).map { .call("echo", #"{"text":"turn \#($0)"}"#, id: "call_t\($0)") }
    }

    @Test("max_turns defaults to 10")
    func defaultMaxTurns() async throws {
        #expect(RunLimits().maxTurns == 10)
        let echo = EchoTool()
        let (result, provider) = await runScript(echoTurns(12), tools: [echo])

        #expect(result.finishReason == .maxTurns)
        #expect(result.turns == 10)
        #expect(provider.requests.count == 10)
        #expect(echo.log.count == 10)
        #expect(result.error?.code == "max_turns")
        #expect(result.error?.message.contains("max_turns (10)") == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a smaller max_turns stops earlier; the last text is kept as output")
    func customMaxTurns() async throws {
        let (result, provider) = await runScript(
            [
                .calls([("echo", #"{"text":"1"}"#)], text: "working on it"),
                .calls([("echo", #"{"text":"2"}"#)]),
                .answer("too late"),
            ], tools: [EchoTool()], agent: testAgent(limits: RunLimits(maxTurns: 2)))

        #expect(result.finishReason == .maxTurns)
        #expect(result.turns == 2)
        #expect(provider.requests.count == 2)
        #expect(result.output == "working on it")
        #expect(!result.finishReason.isSuccess)
    }

    @Test("a final answer on the last allowed turn is a success")
    func answerOnLastTurn() async throws {
        let (result, _) = await runScript(
            echoTurns(2) + [.answer("just in time")], tools: [EchoTool()],
            agent: testAgent(limits: RunLimits(maxTurns: 3)))

        #expect(result.finishReason == .stop)
        #expect(result.output == "just in time")
    }

    @Test("calls beyond max_tool_calls get error results and end the run")
    func maxToolCallsInOneReply() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .calls([("echo", #"{"text":"a"}"#), ("echo", #"{"text":"b"}"#), ("echo", #"{"text":"c"}"#)]),
                .answer("unused"),
            ], tools: [echo], agent: testAgent(limits: RunLimits(maxToolCalls: 2)))

        // The two calls within budget run concurrently, so they may log in either order.
        #expect(Set(echo.log.arguments) == [["text": "a"], ["text": "b"]])
        #expect(result.toolCalls.map(\.content).prefix(2) == ["echo: a", "echo: b"])
        #expect(result.finishReason == .maxToolCalls)
        #expect(result.error?.code == "max_tool_calls")
        #expect(provider.requests.count == 1)
        #expect(result.toolCalls.map(\.isError) == [false, false, true])
        #expect(result.toolMessages.last?.text.contains("max_tool_calls") == true)
        #expect(result.toolMessages.last?.text.contains("not executed") == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("max_tool_calls counts calls across turns")
    func maxToolCallsAcrossTurns() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript(
            [
                .call("echo", #"{"text":"a"}"#, id: "t1"),
                .calls([("echo", #"{"text":"b"}"#), ("echo", #"{"text":"c"}"#)], ids: ["t2", "t3"]),
                .answer("unused"),
            ], tools: [echo], agent: testAgent(limits: RunLimits(maxToolCalls: 2)))

        #expect(echo.log.count == 2)
        #expect(result.finishReason == .maxToolCalls)
        #expect(result.toolCalls.map(\.id) == ["t1", "t2", "t3"])
        #expect(result.toolCalls.map(\.isError) == [false, false, true])
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("exactly max_tool_calls calls then an answer is a success")
    func maxToolCallsNotExceeded() async throws {
        let (result, _) = await runScript(
            [.calls([("echo", #"{"text":"a"}"#), ("echo", #"{"text":"b"}"#)]), .answer("fine")], tools: [EchoTool()],
            agent: testAgent(limits: RunLimits(maxToolCalls: 2)))

        #expect(result.finishReason == .stop)
        #expect(result.output == "fine")
    }

    @Test("a spent token budget stops the run before the calls run")
    func maxTokens() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .call("echo", #"{"text":"a"}"#, usage: Usage(inputTokens: 40, outputTokens: 10)),
                .call("echo", #"{"text":"b"}"#, id: "second", usage: Usage(inputTokens: 50, outputTokens: 10)),
                .answer("unused"),
            ], tools: [echo], agent: testAgent(limits: RunLimits(maxTokens: 100)))

        #expect(echo.log.arguments == [["text": "a"]])
        #expect(provider.requests.count == 2)
        #expect(result.finishReason == .maxTokens)
        #expect(result.error?.code == "max_tokens")
        #expect(result.error?.message == "used 110 tokens, limits.max_tokens is 100")
        #expect(result.usage?.totalTokens == 110)
        #expect(result.toolMessages.last?.toolCallID == "second")
        #expect(result.toolMessages.last?.text.contains("not executed") == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("usage under the token budget lets the run finish")
    func underTokenBudget() async throws {
        let (result, _) = await runScript(
            [
                .call("echo", "{}", usage: Usage(inputTokens: 10, outputTokens: 5, cost: 0.25)),
                .answer("ok", usage: Usage(inputTokens: 20, outputTokens: 5, cost: 0.5)),
            ], tools: [EchoTool()], agent: testAgent(limits: RunLimits(maxTokens: 100)))

        #expect(result.finishReason == .stop)
        #expect(result.usage == Usage(inputTokens: 30, outputTokens: 10, cost: 0.75))
    }

    @Test("timeout while waiting for the model ends the run with code 'timeout'")
    func timeoutDuringModelCall() async throws {
        let (result, provider) = await runScript(
            [.delayed(.seconds(30), .answer("far too late"))],
            agent: testAgent(limits: RunLimits(timeout: .milliseconds(200))))

        #expect(result.finishReason == .timeout)
        #expect(result.error?.code == "timeout")
        #expect(result.error?.message.contains("limits.timeout") == true)
        #expect(result.output == "")
        #expect(provider.requests.count == 1)
    }

    @Test("timeout while a tool runs still answers the call in the transcript")
    func timeoutDuringToolCall() async throws {
        let sleeper = SleepingTool()
        let (result, _) = await runScript(
            [.calls([("sleeper", "{}"), ("echo", "{}")]), .answer("unused")], tools: [sleeper, EchoTool()],
            agent: testAgent(limits: RunLimits(timeout: .milliseconds(200))))

        #expect(sleeper.log.count == 1)
        #expect(result.finishReason == .timeout)
        #expect(result.error?.code == "timeout")
        #expect(result.toolMessages.map(\.toolCallID) == ["call_1", "call_2"])
        #expect(result.toolMessages.first?.text.contains("cancelled") == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a run that finishes before its timeout is not affected")
    func finishesBeforeTimeout() async throws {
        let (result, _) = await runScript(
            [.call("echo", "{}"), .answer("quick")], tools: [EchoTool()],
            agent: testAgent(limits: RunLimits(timeout: .seconds(30))))

        #expect(result.finishReason == .stop)
        #expect(result.output == "quick")
        #expect(result.error == nil)
    }
}
