import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Non-streamed Anthropic replies, and the transcript sent back after tool calls.
@Suite struct AnthropicCompleteTests {
    let question = ModelRequest(
        model: "claude-sonnet-4-5", messages: [.user("Weather in Kazan and Perm?")], tools: [weatherToolForVendors])

    /// Serves `body` once and returns the decoded reply.
    func reply(to body: String) async throws -> ModelResponse {
        try await FakeVendorServer.withServer { server in
            let provider = makeAnthropic(server)
            server.enqueue(.json(body))
            return try await provider.complete(question)
        }
    }

    @Test func plainText() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeAnthropic(server)
            server.enqueue(AnthropicFake.reply(.text("Kazan: -3 °C.", inputTokens: 12, outputTokens: 6), stream: false))
            let response = try await provider.complete(question)
            #expect(response.message == .assistant("Kazan: -3 °C."))
            #expect(response.finishReason == .stop)
            #expect(response.rawFinishReason == "end_turn")
            #expect(response.usage == Usage(inputTokens: 12, outputTokens: 6))
            #expect(response.model == AnthropicFake.model)
            #expect(response.quirks.isEmpty)
        }
    }

    @Test func twoParallelToolCallsRoundTrip() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeAnthropic(server)
            server.enqueue(
                AnthropicFake.reply(parallelWeatherCalls, stream: false),
                AnthropicFake.reply(.text("Kazan -3, Perm -7."), stream: false))
            let first = try await provider.complete(question)
            #expect(first.finishReason == .toolCalls)
            #expect(first.rawFinishReason == "tool_use")
            #expect(
                first.message.toolCalls == [
                    ToolCall(id: AnthropicFake.callID(0), name: "get_weather", arguments: #"{"city":"Kazan"}"#),
                    ToolCall(id: AnthropicFake.callID(1), name: "get_weather", arguments: #"{"city":"Perm"}"#),
                ])
            #expect(first.usage == Usage(inputTokens: 61, outputTokens: 38))

            var followUp = question
            followUp.messages.append(first.message)
            for (call, temperature) in zip(first.message.toolCalls, [-3, -7]) {
                followUp.messages.append(
                    .tool(callID: call.id, name: call.name, content: #"{"temp_c":\#(temperature)}"#))
            }
            let second = try await provider.complete(followUp)
            #expect(second.message.text == "Kazan -3, Perm -7.")
            let sent = try #require(server.requests.last?.json?["messages"])
            #expect(
                sent == [
                    ["role": "user", "content": "Weather in Kazan and Perm?"],
                    [
                        "role": "assistant",
                        "content": [
                            [
                                "type": "tool_use", "id": .string(AnthropicFake.callID(0)), "name": "get_weather",
                                "input": ["city": "Kazan"],
                            ],
                            [
                                "type": "tool_use", "id": .string(AnthropicFake.callID(1)), "name": "get_weather",
                                "input": ["city": "Perm"],
                            ],
                        ],
                    ],
                    [
                        "role": "user",
                        "content": [
                            [
                                "type": "tool_result", "tool_use_id": .string(AnthropicFake.callID(0)),
                                "content": #"{"temp_c":-3}"#,
                            ],
                            [
                                "type": "tool_result", "tool_use_id": .string(AnthropicFake.callID(1)),
                                "content": #"{"temp_c":-7}"#,
                            ],
                        ],
                    ],
                ])
        }
    }

    @Test func thinkingBecomesReasoningAndCacheTokensCountAsInput() async throws {
        let response = try await reply(
            to: #"""
                {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"thinking","thinking":"Kazan is in Tatarstan.","signature":"Eq"},{"type":"redacted_thinking","data":"xyz"},{"type":"text","text":"Kazan: "},{"type":"text","text":"-3 °C."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":1000,"output_tokens":20}}
                """#)
        #expect(response.message.reasoning == "Kazan is in Tatarstan.")
        #expect(response.message.text == "Kazan: -3 °C.")
        #expect(response.usage == Usage(inputTokens: 1110, outputTokens: 20))
    }

    @Test(arguments: [
        ("end_turn", false, FinishReason.stop), ("stop_sequence", false, .stop), ("pause_turn", false, .stop),
        ("max_tokens", false, .length), ("model_context_window_exceeded", false, .length),
        ("refusal", false, .contentFilter), ("tool_use", true, .toolCalls), ("max_tokens", true, .length),
        ("end_turn", true, .toolCalls),
    ])
    func stopReasons(raw: String, withCall: Bool, expected: FinishReason) async throws {
        let call = withCall ? #",{"type":"tool_use","id":"toolu_01","name":"clock","input":{}}"# : ""
        let response = try await reply(
            to:
                #"{"id":"msg_01","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hm."}\#(call)],"stop_reason":"\#(raw)","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}"#
        )
        #expect(response.finishReason == expected)
        #expect(response.rawFinishReason == raw)
        if withCall { #expect(response.message.toolCalls.first?.arguments == "{}") }
    }

    @Test func toolUseWithoutIDGetsOneAndAQuirk() async throws {
        // Anthropic always sends ids; some Anthropic-compatible proxies do not.
        let response = try await reply(
            to:
                #"{"type":"message","role":"assistant","model":"m","content":[{"type":"tool_use","name":"clock","input":{"timezone":"UTC"}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}"#
        )
        let call = try #require(response.message.toolCalls.first)
        #expect(call.id.hasPrefix("call_"))
        #expect(call.arguments == #"{"timezone":"UTC"}"#)
        #expect(response.quirks == ["call ids missing (synthesised)"])
    }
}
