import Testing
import TrellisCore
import TrellisTesting

/// A reply's tool calls are checked before they run: a call without a name, an id used twice, a call without an
/// id and a reply with too many calls each get a result the model can read, and the transcript keeps one result
/// per call id, as every provider requires of the next request.
struct LoopToolCallCheckTests {
    @Test("a call without a name gets an error result; the reply's other call runs and the run goes on")
    func namelessCall() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.calls([("", "{}"), ("echo", #"{"text":"hi"}"#)]), .answer("done")], tools: [echo])

        #expect(result.finishReason == .stop)
        #expect(result.output == "done")
        #expect(echo.log.count == 1)
        #expect(
            result.toolMessages.map(\.text) == [
                "the tool call has no name; available tools: echo", "echo: hi",
            ])
        #expect(result.toolCalls.map(\.isError) == [true, false])
        #expect(provider.requests.last?.trailingToolMessages.map(\.toolCallID) == ["call_1", "call_2"])
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("an exact repeat of a call (same id, tool and arguments) does not run twice; the model is told")
    func exactDuplicate() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .calls([("echo", #"{"text":"a"}"#), ("echo", #"{"text":"a"}"#)], ids: ["call_x", "call_x"]),
                .answer("done"),
            ], tools: [echo])

        #expect(result.finishReason == .stop)
        #expect(echo.log.count == 1)
        let ids = result.toolMessages.compactMap(\.toolCallID)
        #expect(ids.count == 2)
        #expect(ids.first == "call_x")
        #expect(Set(ids).count == 2, "the repeat gets an id of its own")
        #expect(
            result.toolMessages.last?.text
                == "not executed: the reply repeated call 'call_x' (same id, tool and arguments); it ran once")
        let request = try #require(provider.requests.last)
        let assistant = try #require(request.messages.last { $0.role == .assistant })
        #expect(assistant.toolCalls.map(\.id) == ids)
        #expect(request.trailingToolMessages.map(\.toolCallID) == ids)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("two different calls sharing an id both run, the second under a new id")
    func sharedIDDifferentCalls() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .calls([("echo", #"{"text":"a"}"#), ("echo", #"{"text":"b"}"#)], ids: ["call_0", "call_0"]),
                .answer("done"),
            ], tools: [echo])

        #expect(echo.log.count == 2)
        #expect(result.toolMessages.map(\.text) == ["echo: a", "echo: b"])
        let ids = result.toolMessages.compactMap(\.toolCallID)
        #expect(ids.first == "call_0")
        #expect(Set(ids).count == 2)
        let assistant = try #require(provider.requests.last?.messages.last { $0.role == .assistant })
        #expect(assistant.toolCalls.map(\.id) == ids)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a call with an empty id gets one, used by its result")
    func emptyID() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.calls([("echo", #"{"text":"a"}"#)], ids: [""]), .answer("done")], tools: [echo])

        #expect(echo.log.count == 1)
        let id = try #require(result.toolMessages.first?.toolCallID)
        #expect(id.hasPrefix("call_"))
        #expect(provider.requests.last?.messages.last { $0.role == .assistant }?.toolCalls.map(\.id) == [id])
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("500 calls in one reply: the first maxToolCallsPerTurn (64) run, the rest get an error result")
    func tooManyCalls() async throws {
        let echo = EchoTool()
        let calls = (0..<500).map { ("echo", #"{"text":"\#($0)"}"#) }
        let (result, provider) = await runScript([.calls(calls), .answer("done")], tools: [echo])

        #expect(RunLimits().maxToolCallsPerTurn == 64)
        #expect(result.finishReason == .stop)
        #expect(echo.log.count == 64)
        #expect(result.toolMessages.count == 500)
        #expect(result.toolMessages[63].text == "echo: 63")
        #expect(
            result.toolMessages[64].text
                == "not executed: the reply asked for 500 tool calls; at most 64 run per turn")
        #expect(provider.requests.last?.trailingToolMessages.count == 500)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("a lower per-turn limit applies")
    func perTurnLimit() async throws {
        let echo = EchoTool()
        let (result, _) = await runScript(
            [.calls([("echo", "{}"), ("echo", #"{"text":"x"}"#), ("echo", #"{"text":"y"}"#)]), .answer("done")],
            tools: [echo], agent: testAgent(limits: RunLimits(maxToolCallsPerTurn: 2)))
        #expect(echo.log.count == 2)
        #expect(result.toolCalls.map(\.isError) == [false, false, true])
    }
}
