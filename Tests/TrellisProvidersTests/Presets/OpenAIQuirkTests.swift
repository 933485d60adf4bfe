import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// ``ModelResponse/quirks``: what the decoders smoothed over, reported the same way streamed or not.
@Suite struct OpenAIQuirkTests {
    /// The reply to one request answered by `body`, and the one to a stream answered by `chunks`.
    func replies(body: String, chunks: [String]) async throws -> (ModelResponse, ModelResponse) {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(body), .eventStream(chunks))
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            let request = ModelRequest(model: "m", messages: [.user("Hi")])
            let response = try await provider.complete(request)
            let streamed = try #require(try await drain(provider.stream(request)).completed)
            return (response, streamed)
        }
    }

    @Test func objectArgumentsAndMissingIDs() async throws {
        let (response, streamed) = try await replies(
            body:
                #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"clock","arguments":{"timezone":"UTC"}}},{"id":"","type":"function","function":{"name":"clock","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#,
            chunks: [
                sse(
                    #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"clock","arguments":{"timezone":"UTC"}}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}}"#
                ),
                sseDone,
            ])
        #expect(response.quirks == ["call ids missing (synthesised)", "arguments as object"])
        #expect(streamed.quirks == ["arguments as object", "call ids missing (synthesised)"])
        #expect(response.message.toolCalls.first?.arguments == #"{"timezone":"UTC"}"#)
        #expect(streamed.message.toolCalls.first?.arguments == #"{"timezone":"UTC"}"#)
        #expect(response.message.toolCalls.allSatisfy { $0.id.hasPrefix("call_") })
        #expect(streamed.message.toolCalls.first?.id.hasPrefix("call_") == true)
    }

    @Test func noUsageAndToolCallsWithoutAFinishReason() async throws {
        let call = #"{"id":"call_9","type":"function","function":{"name":"clock","arguments":"{}"}}"#
        let (response, streamed) = try await replies(
            body: #"{"choices":[{"index":0,"message":{"role":"assistant","tool_calls":[\#(call)]}}]}"#,
            chunks: [
                sse(#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,\#(call.dropFirst())]}}]}"#),
                sseDone,
            ])
        for reply in [response, streamed] {
            #expect(reply.finishReason == .toolCalls)
            #expect(reply.quirks == ["no usage reported", "tool calls with finish 'null'"])
        }
    }

    @Test func openAIRepliesHaveNoQuirks() async throws {
        let (response, streamed) = try await replies(
            body: OpenAIFake.body(twoCalls), chunks: OpenAIFake.chunks(twoCalls))
        #expect(response.quirks.isEmpty)
        #expect(streamed.quirks.isEmpty)
    }
}
