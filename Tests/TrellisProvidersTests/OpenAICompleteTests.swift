import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Non-streamed replies, as OpenAI and compatible servers write them.
@Suite struct OpenAICompleteTests {
    /// Serves `body` once and returns the decoded reply.
    func reply(to body: String, maxTokens: Int? = nil) async throws -> ModelResponse {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(body))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            return try await provider.complete(
                ModelRequest(
                    model: "m", messages: [.user("Weather in Kazan and Perm?")],
                    options: GenerationOptions(maxTokens: maxTokens)))
        }
    }

    /// A reply whose message is `message` (a JSON object's members) and whose finish reason is `finish`.
    func body(message: String, finish: String = #""tool_calls""#, usage: String = "") -> String {
        #"{"id":"chatcmpl-9x1","object":"chat.completion","created":1735689600,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant",\#(message)},"finish_reason":\#(finish)}]\#(usage)}"#
    }

    @Test func parallelToolCallsWithContentNull() async throws {
        let response = try await reply(
            to: body(
                message: #"""
                    "content":null,"tool_calls":[{"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}},{"id":"call_b2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Perm\"}"}}]
                    """#,
                usage: #","usage":{"prompt_tokens":61,"completion_tokens":38,"total_tokens":99}"#))
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
                ToolCall(id: "call_b2", name: "get_weather", arguments: #"{"city":"Perm"}"#),
            ])
        #expect(response.message.role == .assistant)
        #expect(response.message.text == "")
        #expect(response.message.content.isEmpty)
        #expect(response.finishReason == .toolCalls)
        #expect(response.rawFinishReason == "tool_calls")
        #expect(response.usage == Usage(inputTokens: 61, outputTokens: 38))
        #expect(response.usage?.totalTokens == 99)
        #expect(response.model == "gpt-4o-mini-2024-07-18")
    }

    @Test func stopWithToolCallsIsAToolTurn() async throws {
        let response = try await reply(
            to: body(
                message:
                    #""content":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}}]"#,
                finish: #""stop""#))
        #expect(response.finishReason == .toolCalls)
        #expect(response.rawFinishReason == "stop")
        #expect(response.message.toolCalls.map(\.name) == ["get_weather"])
    }

    @Test func eosIsStop() async throws {
        let response = try await reply(to: body(message: #""content":"Kazan: -3 °C.""#, finish: #""eos""#))
        #expect(response.finishReason == .stop)
        #expect(response.rawFinishReason == "eos")
        #expect(response.message.text == "Kazan: -3 °C.")
        #expect(response.message.toolCalls.isEmpty)
    }

    @Test func lengthIsLength() async throws {
        let response = try await reply(to: body(message: #""content":"Kazan is a city on the""#, finish: #""length""#))
        #expect(response.finishReason == .length)
        #expect(response.message.text == "Kazan is a city on the")
    }

    @Test func argumentsAsJSONObjectAreReserialised() async throws {
        // llama.cpp server writes arguments as an object instead of a string.
        let response = try await reply(
            to: body(
                message:
                    #""content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":{"city":"Kazan","days":3,"units":{"temp":"C"}}}}]"#
            ))
        let call = try #require(response.message.toolCalls.first)
        #expect(call.arguments == #"{"city":"Kazan","days":3,"units":{"temp":"C"}}"#)
        #expect(response.finishReason == .toolCalls)
    }

    @Test func emptyOrMissingArgumentsBecomeEmptyObject() async throws {
        let response = try await reply(
            to: body(
                message:
                    #""content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"clock","arguments":""}},{"id":"call_2","type":"function","function":{"name":"clock"}}]"#
            ))
        #expect(response.message.toolCalls.map(\.arguments) == ["{}", "{}"])
    }

    @Test(arguments: [#""id":"","#, #""id":null,"#, ""])
    func missingIDsAreSynthesised(idField: String) async throws {
        let response = try await reply(
            to: body(
                message:
                    #""content":null,"tool_calls":[{\#(idField)"type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}},{\#(idField)"type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Perm\"}"}}]"#
            ))
        let ids = response.message.toolCalls.map(\.id)
        #expect(ids.count == 2)
        #expect(ids.allSatisfy { $0.hasPrefix("call_") && $0.count > "call_".count })
        #expect(Set(ids).count == 2)
        #expect(response.message.toolCalls.map(\.arguments) == [#"{"city":"Kazan"}"#, #"{"city":"Perm"}"#])
    }

    @Test func legacyFunctionCallIsUsedWhenThereAreNoToolCalls() async throws {
        let response = try await reply(
            to: body(
                message: #""content":null,"function_call":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}"#,
                finish: #""function_call""#))
        let call = try #require(response.message.toolCalls.first)
        #expect(response.message.toolCalls.count == 1)
        #expect(call.name == "get_weather")
        #expect(call.arguments == #"{"city":"Kazan"}"#)
        #expect(call.id.hasPrefix("call_"))
        #expect(response.finishReason == .toolCalls)
    }

    @Test func legacyFunctionCallIsIgnoredBesideToolCalls() async throws {
        let response = try await reply(
            to: body(
                message:
                    #""content":null,"function_call":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"},"tool_calls":[{"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}}]"#
            ))
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#)
            ])
    }

    @Test(arguments: [#""stop""#, #""tool_calls""#])
    func emptyToolCallsArrayIsNotAToolTurn(finish: String) async throws {
        // vLLM writes `tool_calls: []` on plain answers.
        let response = try await reply(
            to: body(message: #""content":"It is -3 in Kazan.","tool_calls":[]"#, finish: finish))
        #expect(response.message.toolCalls.isEmpty)
        #expect(response.finishReason == .stop)
        #expect(response.message.text == "It is -3 in Kazan.")
    }

    @Test func reasoningContentIsKeptApartFromTheAnswer() async throws {
        let response = try await reply(
            to: body(
                message: #""content":"4","reasoning_content":"2 plus 2 is 4.""#, finish: #""stop""#,
                usage:
                    #","usage":{"prompt_tokens":10,"completion_tokens":30,"total_tokens":40,"completion_tokens_details":{"reasoning_tokens":25}}"#
            ))
        #expect(response.message.text == "4")
        #expect(response.message.reasoning == "2 plus 2 is 4.")
        #expect(response.usage == Usage(inputTokens: 10, outputTokens: 30, reasoningTokens: 25))
    }

    @Test func reasoningFieldIsReadWhenReasoningContentIsNull() async throws {
        // vLLM renamed reasoning_content to reasoning; servers that write every field send the old one as null.
        let response = try await reply(
            to: body(
                message: #""content":"4","reasoning_content":null,"reasoning":"2 plus 2 is 4.""#, finish: #""stop""#))
        #expect(response.message.reasoning == "2 plus 2 is 4.")
        #expect(response.message.text == "4")
    }

    @Test func noUsageMeansNil() async throws {
        let response = try await reply(to: body(message: #""content":"hi""#, finish: #""stop""#))
        #expect(response.usage == nil)
        #expect(response.message.reasoning == nil)
    }

    @Test func truncatedToolCallAtTokenLimitIsLength() async throws {
        // vLLM reports tool_calls although max_tokens cut the arguments off.
        let response = try await reply(
            to: body(
                message:
                    #""content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Ka"}}]"#,
                usage: #","usage":{"prompt_tokens":61,"completion_tokens":16,"total_tokens":77}"#),
            maxTokens: 16)
        #expect(response.finishReason == .length)
    }
}
