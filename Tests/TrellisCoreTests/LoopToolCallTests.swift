import Testing
import TrellisCore
import TrellisTesting

/// Tool calls run whatever finish reason the reply reports, except a reply cut off by its token limit.
struct LoopToolCallTests {
    @Test(
        "a reply with tool calls is a tool turn whatever its finish reason",
        arguments: ["tool_calls", "stop", "eos", nil] as [String?])
    func toolCallsRunWhateverTheFinishReason(finish: String?) async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.calls([("echo", #"{"text":"hi"}"#)], finish: finish), .answer("done")], tools: [echo])

        #expect(echo.log.count == 1)
        #expect(echo.log.arguments == [["text": "hi"]])
        #expect(result.finishReason == .stop)
        #expect(result.output == "done")
        #expect(result.error == nil)
        #expect(result.turns == 2)
        #expect(result.toolCalls.map(\.content) == ["echo: hi"])
        #expect(result.toolCalls.map(\.isError) == [false])

        let requests = provider.requests
        try #require(requests.count == 2)
        let last = try #require(requests[1].lastMessage)
        #expect(last.role == .tool)
        #expect(last.toolCallID == "call_1")
        #expect(last.toolName == "echo")
        #expect(last.text == "echo: hi")
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a reply whose normalised reason is stop still runs its calls")
    func rawStopResponseWithCallsRuns() async throws {
        let echo = EchoTool()
        let call = ToolCall(id: "c9", name: "echo", arguments: #"{"text":"raw"}"#)
        let reply = ModelResponse(
            message: .assistant("", toolCalls: [call]), finishReason: .stop, rawFinishReason: "stop")
        let (result, _) = await runScript([.reply(reply), .answer("ok")], tools: [echo])

        #expect(echo.log.count == 1)
        #expect(result.finishReason == .stop)
        #expect(result.toolMessages.map(\.text) == ["echo: raw"])
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a reply cut off by length never runs its calls, yet each call gets a 'not executed' result")
    func lengthNeverExecutes() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.calls([("echo", #"{"text":"a"}"#), ("echo", #"{"text":"b"#)], finish: "length"), .answer("unused")],
            tools: [echo])

        #expect(echo.log.count == 0)
        #expect(result.finishReason == .length)
        #expect(result.error?.code == "length")
        #expect(provider.requests.count == 1)
        let results = result.toolMessages
        #expect(results.map(\.toolCallID) == ["call_1", "call_2"])
        for message in results {
            #expect(message.text.contains("not executed"))
            #expect(message.text.contains("token limit"))
        }
        #expect(result.toolCalls.allSatisfy { $0.isError })
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a content-filtered reply with calls does not run them")
    func contentFilterNeverExecutes() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript([.calls([("echo", "{}")], finish: "content_filter")], tools: [echo])

        #expect(echo.log.count == 0)
        #expect(result.finishReason == .contentFilter)
        #expect(result.toolMessages.first?.text.contains("not executed") == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("finish 'tool_calls' with no calls is a final answer")
    func toolCallsReasonWithoutCallsIsFinal() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.calls([], text: "all done", finish: "tool_calls"), .answer("never asked")], tools: [echo])

        #expect(result.finishReason == .stop)
        #expect(result.output == "all done")
        #expect(result.error == nil)
        #expect(result.turns == 1)
        #expect(provider.requests.count == 1)
        #expect(echo.log.count == 0)
    }

    @Test("empty argument text means an empty object")
    func emptyArgumentsAreAnEmptyObject() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript([.call("echo", ""), .answer("ok")], tools: [echo])

        #expect(echo.log.arguments == [.object(JSONObject())])
        #expect(result.toolMessages.map(\.text) == ["echo: "])
        #expect(result.finishReason == .stop)
    }

    @Test("the tool sees the agent, the run id and the call id")
    func toolContextNamesTheCall() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript(
            [.call("echo", "{}", id: "call_xyz"), .answer("ok")], tools: [echo],
            agent: testAgent(name: "weather-bot"), options: AgentRunner.Options(runID: "run_fixed"))

        #expect(echo.log.contexts == [ToolContext(agent: "weather-bot", runID: "run_fixed", callID: "call_xyz")])
        #expect(result.agent == "weather-bot")
    }

    @Test("the first request holds the system prompt, the user input and the tool definitions")
    func firstRequestCarriesTranscriptAndTools() async throws {
        let echo = EchoTool()
        let (_, provider) = await runScript(
            [.answer("hi")], tools: [echo, ThrowingTool()], agent: testAgent(system: "Be brief."), input: "Hello?")

        let request = try #require(provider.requests.first)
        #expect(request.model == "scripted-model")
        #expect(request.messages.map(\.role) == [.system, .user])
        #expect(request.messages.map(\.text) == ["Be brief.", "Hello?"])
        #expect(request.tools.map(\.name) == ["echo", "explode"])
        #expect(request.parallelToolCalls == nil)
    }

    @Test("a multi-turn run keeps every exchange in the transcript")
    func multiTurnTranscript() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .call("echo", #"{"text":"one"}"#, id: "a"),
                .calls([("echo", #"{"text":"two"}"#), ("echo", #"{"text":"three"}"#)], ids: ["b", "c"]),
                .answer("finished"),
            ], tools: [echo])

        #expect(result.finishReason == .stop)
        #expect(result.turns == 3)
        #expect(result.transcript.map(\.role) == [.user, .assistant, .tool, .assistant, .tool, .tool, .assistant])
        #expect(result.toolMessages.map(\.text) == ["echo: one", "echo: two", "echo: three"])
        #expect(result.toolCalls.map(\.id) == ["a", "b", "c"])
        #expect(provider.requests.last?.trailingToolMessages.map(\.toolCallID) == ["b", "c"])
        expectEveryCallAnsweredOnce(result.transcript)
    }
}
