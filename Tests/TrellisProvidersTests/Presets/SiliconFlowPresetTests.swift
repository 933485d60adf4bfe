import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// SiliconFlow (`kind: siliconflow`, PROVIDERS §4): `eos`, reasoning, pass-through options, its error body.
@Suite struct SiliconFlowPresetTests {
    let request = ModelRequest(model: "Qwen/Qwen2.5-72B-Instruct", messages: [.user("Hi")])
    let thinking = FakeReply(text: "Kazan.", reasoning: "The user asks for a city.", inputTokens: 12, outputTokens: 30)

    @Test func roundTripUsesTheChatCompletionsPathAndReportsUsage() async throws {
        let trip = try await roundTrip(SiliconFlowFake.self, kind: "siliconflow", stream: false)
        #expect(trip.requests.map(\.path) == ["/v1/chat/completions", "/v1/chat/completions"])
        #expect(trip.first.usage == Usage(inputTokens: 61, outputTokens: 38))
        #expect(trip.second.rawFinishReason == "eos")
        #expect(trip.second.quirks == ["finish 'eos'"])
        #expect(trip.first.model == "Qwen/Qwen2.5-72B-Instruct")
    }

    @Test func eosIsStopAndReasoningIsKeptNotSentBack() async throws {
        try await FakeVendorServer.withServer { server in
            SiliconFlowFake.install(on: server, key: secretKey)
            server.enqueue(
                SiliconFlowFake.reply(thinking, stream: false), SiliconFlowFake.reply(thinking, stream: true),
                SiliconFlowFake.reply(.text("ok"), stream: false))
            let provider = presetProvider(kind: "siliconflow", baseURL: SiliconFlowFake.baseURL(of: server))
            let response = try await provider.complete(request)
            let events = try await drain(provider.stream(request))
            let streamed = try #require(events.completed)
            for reply in [response, streamed] {
                #expect(reply.finishReason == .stop)
                #expect(reply.rawFinishReason == "eos")
                #expect(reply.message.text == "Kazan.")
                #expect(reply.message.reasoning == "The user asks for a city.")
                #expect(reply.usage == Usage(inputTokens: 12, outputTokens: 30))
                #expect(reply.quirks == ["reasoning_content", "finish 'eos'"])
            }
            #expect(events.reasoningDeltas == ["The user asks for a city."])
            var next = request
            next.messages += [response.message, .user("Why?")]
            _ = try await provider.complete(next)
            let assistant = try #require(server.requests.last?.json?["messages"]?.element(1))
            #expect(assistant == ["role": "assistant", "content": "Kazan."])
            #expect(!(server.requests.last?.body.contains("reasoning") ?? true))
        }
    }

    @Test func samplingOptionsAndThinkingSettingsArePassed() async throws {
        try await FakeVendorServer.withServer { server in
            SiliconFlowFake.install(on: server, key: secretKey)
            server.enqueue(SiliconFlowFake.reply(.text("{}"), stream: false))
            let provider = presetProvider(kind: "siliconflow", baseURL: SiliconFlowFake.baseURL(of: server))
            var options = GenerationOptions(
                temperature: 0.7, topP: 0.9, maxTokens: 512, stop: ["\n\n", "END"], choices: 2,
                responseFormat: ["type": "json_object"])
            options.extra = ["enable_thinking": true, "thinking_budget": 4096]
            _ = try await provider.complete(
                ModelRequest(model: "Qwen/Qwen3-8B", messages: [.user("JSON please")], options: options))
            let body = try #require(server.requests.first?.json)
            #expect(body["n"] == 2)
            #expect(body["stop"] == ["\n\n", "END"])
            #expect(body["response_format"] == ["type": "json_object"])
            #expect(body["max_tokens"] == 512)
            #expect(body["temperature"] == 0.7)
            #expect(body["top_p"] == 0.9)
            #expect(body["enable_thinking"] == true)
            #expect(body["thinking_budget"] == 4096)
            #expect(body["stream"] == nil)
        }
    }

    @Test func modelDoesNotExistErrorBody() async throws {
        try await FakeVendorServer.withServer { server in
            SiliconFlowFake.install(on: server, key: secretKey)
            server.enqueue(
                SiliconFlowFake.error(
                    status: 400, code: 20012, message: "Model does not exist. Please check it carefully."))
            let recorder = SleepRecorder()
            let provider = presetProvider(
                kind: "siliconflow", baseURL: SiliconFlowFake.baseURL(of: server), recorder: recorder)
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 400)
            #expect(error.message == "Model does not exist. Please check it carefully.")
            #expect(error.vendorCode == "20012")
            #expect(
                error.description
                    == "provider 'siliconflow': HTTP 400: Model does not exist. Please check it carefully. (20012)")
            #expect(!error.isRetryable)
            #expect(await recorder.sleeps.isEmpty)
        }
    }

    @Test func invalidTokenBodyIsABareJSONString() async throws {
        try await FakeVendorServer.withServer { server in
            SiliconFlowFake.install(on: server, key: "sk-other")
            let provider = presetProvider(kind: "siliconflow", baseURL: SiliconFlowFake.baseURL(of: server))
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 401)
            #expect(error.message == "Invalid token")
        }
    }

    @Test func overloadIsRetried() async throws {
        try await FakeVendorServer.withServer { server in
            SiliconFlowFake.install(on: server, key: secretKey)
            server.enqueue(
                SiliconFlowFake.error(status: 503, code: 50505, message: "Model service overloaded."),
                SiliconFlowFake.reply(.text("ok"), stream: false))
            let recorder = SleepRecorder()
            let provider = presetProvider(
                kind: "siliconflow", baseURL: SiliconFlowFake.baseURL(of: server), recorder: recorder)
            let response = try await provider.complete(request)
            #expect(response.message.text == "ok")
            #expect(await recorder.sleeps.count == 1)
        }
    }
}
