import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// A tool call without a name is passed on to the loop, which answers it with an error result, instead of failing
/// the whole reply as malformed.
@Suite struct NamelessToolCallTests {
    @Test("OpenAI: a call with an empty name comes through beside the good one")
    func openAIEmptyName() async throws {
        let body = #"""
            {"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"","arguments":"{}"}},{"id":"call_b","type":"function","function":{"name":"echo","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}
            """#
        let response = try await FakeVendorServer.withServer { server in
            server.enqueue(.json(body))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            return try await provider.complete(ModelRequest(model: "m", messages: [.user("hi")]))
        }
        #expect(response.message.toolCalls.map(\.name) == ["", "echo"])
        #expect(response.message.toolCalls.map(\.id) == ["call_a", "call_b"])
        #expect(response.finishReason == .toolCalls)
    }

    @Test("OpenAI streamed: a call with arguments but no name comes through; an empty fragment makes no call")
    func openAIStreamedWithoutName() async throws {
        let chunk = { (delta: String, finish: String) in
            sse(
                #"{"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(finish)}]}"#
            )
        }
        let chunks = [
            chunk(
                #"{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"arguments":"{}"}}]}"#, "null"),
            chunk(#"{"tool_calls":[{"index":1,"id":"call_b","function":{"name":"echo","arguments":"{}"}}]}"#, "null"),
            chunk(#"{"tool_calls":[{"index":2}]}"#, #""tool_calls""#), "data: [DONE]\n\n",
        ]
        let events = try await FakeVendorServer.withServer { server in
            server.enqueue(.eventStream(chunks))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            return try await drain(provider.stream(ModelRequest(model: "m", messages: [.user("hi")])))
        }
        let response = try #require(events.completed)
        #expect(response.message.toolCalls.map(\.name) == ["", "echo"])
        #expect(response.message.toolCalls.map(\.id) == ["call_a", "call_b"])
        #expect(response.finishReason == .toolCalls)
    }
}
