import Testing
import TrellisCore
import TrellisTesting

/// The same call with the same arguments, too many times in a row, stops the run.
struct LoopRepeatTests {
    @Test("the third identical call in a row is not run and ends the run")
    func thirdIdenticalCallStops() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .call("echo", #"{"text":"again"}"#, id: "r1"),
                .call("echo", #"{"text":"again"}"#, id: "r2"),
                .call("echo", #"{"text":"again"}"#, id: "r3"),
                .answer("unused"),
            ], tools: [echo])

        #expect(RunLimits().maxRepeatedCalls == 3)
        #expect(echo.log.count == 2)
        #expect(provider.requests.count == 3)
        #expect(result.finishReason == .repeatedToolCall)
        #expect(result.error?.code == "repeated_tool_call")
        #expect(result.error?.message.contains("'echo'") == true)
        #expect(result.toolCalls.map(\.isError) == [false, false, true])
        #expect(result.toolMessages.last?.text.contains("same arguments 3 times in a row") == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("arguments with a different key order or spacing count as the same")
    func keyOrderIsIgnored() async throws {
        let tool = EchoTool()
        let (result, _) = await runScript(
            [
                .call("echo", #"{"text":"x","n":1}"#, id: "r1"),
                .call("echo", #"{"n":1,"text":"x"}"#, id: "r2"),
                .call("echo", #"{ "n" : 1 , "text" : "x" }"#, id: "r3"),
                .answer("unused"),
            ], tools: [tool])

        #expect(result.finishReason == .repeatedToolCall)
        #expect(tool.log.count == 2)
    }

    @Test("a different call in between resets the count")
    func differentCallResets() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript(
            [
                .call("echo", #"{"text":"a"}"#, id: "r1"),
                .call("echo", #"{"text":"a"}"#, id: "r2"),
                .call("echo", #"{"text":"b"}"#, id: "r3"),
                .call("echo", #"{"text":"a"}"#, id: "r4"),
                .call("echo", #"{"text":"a"}"#, id: "r5"),
                .answer("done"),
            ], tools: [echo])

        #expect(result.finishReason == .stop)
        #expect(result.output == "done")
        #expect(echo.log.count == 5)
    }

    @Test("three identical calls in one reply trip the breaker too")
    func identicalCallsInOneReply() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript(
            [.calls(Array(repeating: ("echo", #"{"text":"same"}"#), count: 3)), .answer("unused")], tools: [echo])

        #expect(echo.log.count == 2)
        #expect(result.finishReason == .repeatedToolCall)
        #expect(result.toolCalls.map(\.isError) == [false, false, true])
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a custom maxRepeatedCalls is honoured")
    func customRepeatLimit() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript(
            [.call("echo", "{}", id: "r1"), .call("echo", "{}", id: "r2"), .answer("unused")], tools: [echo],
            agent: testAgent(limits: RunLimits(maxRepeatedCalls: 2)))

        #expect(echo.log.count == 1)
        #expect(result.finishReason == .repeatedToolCall)
        #expect(result.error?.message.contains("2 times in a row") == true)
    }
}
