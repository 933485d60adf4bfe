import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Non-streamed Ollama replies, and the transcript sent back after tool calls.
@Suite struct OllamaCompleteTests {
    let question = ModelRequest(
        model: "llama3.2", messages: [.user("Weather in Kazan and Perm?")], tools: [weatherToolForVendors])

    /// Serves `body` once and returns the decoded reply.
    func reply(to body: String) async throws -> ModelResponse {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server)
            server.enqueue(.json(body))
            return try await provider.complete(question)
        }
    }

    @Test func plainText() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server)
            server.enqueue(OllamaFake.reply(.text("Kazan: -3 °C.", inputTokens: 26, outputTokens: 9), stream: false))
            let response = try await provider.complete(question)
            #expect(response.message == .assistant("Kazan: -3 °C."))
            #expect(response.finishReason == .stop)
            #expect(response.rawFinishReason == "stop")
            #expect(response.usage == Usage(inputTokens: 26, outputTokens: 9))
            #expect(response.model == "llama3.2")
            #expect(response.quirks.isEmpty)
        }
    }

    @Test func twoParallelToolCallsRoundTrip() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server)
            server.enqueue(
                OllamaFake.reply(parallelWeatherCalls, stream: false),
                OllamaFake.reply(.text("Kazan -3, Perm -7."), stream: false))
            let first = try await provider.complete(question)
            #expect(first.finishReason == .toolCalls)
            #expect(first.rawFinishReason == "stop")
            #expect(first.message.toolCalls.map(\.name) == ["get_weather", "get_weather"])
            #expect(first.message.toolCalls.map(\.arguments) == [#"{"city":"Kazan"}"#, #"{"city":"Perm"}"#])
            let ids = first.message.toolCalls.map(\.id)
            #expect(ids.allSatisfy { $0.hasPrefix("call_") } && Set(ids).count == 2)
            #expect(
                first.quirks == [
                    "call ids missing (synthesised)", "arguments as object", "tool calls with finish 'stop'",
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
                        "role": "assistant", "content": "",
                        "tool_calls": [
                            ["function": ["name": "get_weather", "arguments": ["city": "Kazan"]]],
                            ["function": ["name": "get_weather", "arguments": ["city": "Perm"]]],
                        ],
                    ],
                    ["role": "tool", "content": #"{"temp_c":-3}"#, "tool_name": "get_weather"],
                    ["role": "tool", "content": #"{"temp_c":-7}"#, "tool_name": "get_weather"],
                ])
        }
    }

    @Test func newerBuildsWithIDsAndStringArgumentsNeedNoQuirks() async throws {
        let response = try await reply(
            to:
                #"{"model":"qwen3","created_at":"2025-01-01T10:00:00Z","message":{"role":"assistant","content":"","thinking":"Need the weather.","tool_calls":[{"id":"call_abc","function":{"index":0,"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}}]},"done_reason":"tool_calls","done":true,"eval_count":7}"#
        )
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call_abc", name: "get_weather", arguments: #"{"city":"Kazan"}"#)
            ])
        #expect(response.message.reasoning == "Need the weather.")
        #expect(response.finishReason == .toolCalls)
        #expect(response.quirks.isEmpty)
        #expect(response.usage == Usage(inputTokens: 0, outputTokens: 7))
    }

    @Test(arguments: [("length", FinishReason.length), ("load", .error), ("unload", .error)])
    func doneReasons(raw: String, expected: FinishReason) async throws {
        let response = try await reply(
            to:
                #"{"model":"llama3.2","created_at":"2025-01-01T10:00:00Z","message":{"role":"assistant","content":""},"done_reason":"\#(raw)","done":true}"#
        )
        #expect(response.finishReason == expected)
        #expect(response.rawFinishReason == raw)
    }

    @Test func lengthWithToolCallIsLength() async throws {
        var truncated = parallelWeatherCalls
        truncated.truncated = true
        let response = try await reply(to: OllamaFake.body(truncated))
        #expect(response.finishReason == .length)
        #expect(response.message.toolCalls.count == 2)
    }
}
