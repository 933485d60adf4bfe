import Testing
import TrellisCore
import TrellisTesting

/// A forced tool choice applies to the first request only.
struct LoopToolChoiceTests {
    @Test("a forced choice is sent first, then auto", arguments: [ToolChoice.function("echo"), .required])
    func forcedChoiceOnlyOnFirstTurn(choice: ToolChoice) async throws {
        let (result, provider) = await runScript(
            [.call("echo", #"{"text":"1"}"#), .call("echo", #"{"text":"2"}"#), .answer("ok")], tools: [EchoTool()],
            agent: testAgent(toolChoice: choice))

        #expect(result.finishReason == .stop)
        let choices = provider.requests.map(\.toolChoice)
        #expect(choices == [choice, .auto, .auto])
    }

    @Test("an unforced choice is kept on every turn", arguments: [ToolChoice.auto, .none])
    func unforcedChoiceKept(choice: ToolChoice) async throws {
        let (_, provider) = await runScript(
            [.call("echo", "{}"), .answer("ok")], tools: [EchoTool()], agent: testAgent(toolChoice: choice))

        #expect(provider.requests.map(\.toolChoice) == [choice, choice])
    }

    @Test("no choice leaves it to the provider")
    func noChoice() async throws {
        let (_, provider) = await runScript([.call("echo", "{}"), .answer("ok")], tools: [EchoTool()])

        #expect(provider.requests.map(\.toolChoice) == [nil, nil])
    }
}

/// `tool_choice` as a list: one choice per turn, the last one for every later turn.
struct LoopToolChoicePlanTests {
    @Test("each turn takes its entry of the list, and the last entry holds after it")
    func choicePerTurn() async throws {
        let (result, provider) = await runScript(
            [.call("echo", #"{"text":"1"}"#), .call("echo", #"{"text":"2"}"#), .answer("ok")], tools: [EchoTool()],
            agent: testAgent(toolChoices: [.function("echo"), .required, .none]))

        #expect(result.finishReason == .stop)
        #expect(provider.requests.map(\.toolChoice) == [.function("echo"), .required, ToolChoice.none])
    }

    @Test("a list keeps its last forced entry on every later turn")
    func lastForcedEntryRepeats() async throws {
        let (_, provider) = await runScript(
            [.call("echo", "{}"), .call("echo", #"{"text":"b"}"#), .answer("ok")], tools: [EchoTool()],
            agent: testAgent(toolChoices: [.auto, .function("echo")]))

        #expect(provider.requests.map(\.toolChoice) == [.auto, .function("echo"), .function("echo")])
    }
}

/// `stop_at_tools`: a successful call to one of them ends the run with its result.
struct LoopStopAtToolsTests {
    @Test("the tool's result is the answer and the model is not called again")
    func stopsWithResult() async throws {
        let (result, provider) = await runScript(
            [.call("echo", #"{"text":"391"}"#), .answer("never asked")], tools: [EchoTool()],
            agent: testAgent(toolChoice: .function("echo"), stopAtTools: ["echo"]))

        #expect(result.finishReason == .stop)
        #expect(result.output == "echo: 391")
        #expect(result.error == nil)
        #expect(result.turns == 1)
        #expect(provider.requests.count == 1)
        #expect(result.toolCalls.map(\.content) == ["echo: 391"])
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("an error result does not stop the run: the model reads it and tries again")
    func errorDoesNotStop() async throws {
        let (result, provider) = await runScript(
            [.call("echo", #"{"text": 5}"#), .call("echo", #"{"text":"ok"}"#), .answer("never asked")],
            tools: [EchoTool()], agent: testAgent(stopAtTools: ["echo"]))

        #expect(result.finishReason == .stop)
        #expect(result.output == "echo: ok")
        #expect(result.toolCalls.map(\.isError) == [true, false])
        #expect(provider.requests.count == 2)
    }

    @Test("calls to other tools go on as usual")
    func otherToolsContinue() async throws {
        let (result, _) = await runScript(
            [.call("echo", #"{"text":"x"}"#), .answer("done")], tools: [EchoTool()],
            agent: testAgent(stopAtTools: ["calculator"]))

        #expect(result.output == "done")
        #expect(result.turns == 2)
    }
}
