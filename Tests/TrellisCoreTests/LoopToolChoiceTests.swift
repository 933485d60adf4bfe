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
