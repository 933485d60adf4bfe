import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// vLLM (`kind: vllm`, PROVIDERS §3): optional key, vLLM's extra fields, tool turns ending with `stop`, `abort`,
/// both error shapes and the auto-tool-choice hint.
@Suite struct VLLMPresetTests {
    let request = ModelRequest(
        model: VLLMFake.model, messages: [.user("Hello, can you tell me a fun fact about cats?")])

    @Test func toolTurnsEndingWithStopAreToolCalls() async throws {
        for stream in [false, true] {
            let trip = try await roundTrip(VLLMFake.self, kind: "vllm", stream: stream)
            #expect(trip.first.rawFinishReason == "stop")
            #expect(trip.first.finishReason == .toolCalls)
            #expect(trip.first.quirks.contains("tool calls with finish 'stop'"))
            #expect(trip.requests.first?.path == "/v1/chat/completions")
        }
    }

    @Test func seedReplyWithEmptyToolCallsIsAPlainAnswer() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"id":"chat-16f60a42606142c38ce95c4513f379e7","object":"chat.completion","created":1730359013,"model":"meta-llama/Llama-3.2-11B-Vision-Instruct","choices":[{"index":0,"message":{"role":"assistant","content":"This image presents a white cat.","tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":6425,"total_tokens":6755,"completion_tokens":330},"prompt_logprobs":null}"#
                ))
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            let response = try await provider.complete(request)
            #expect(response.message.text == "This image presents a white cat.")
            #expect(response.message.toolCalls.isEmpty)
            #expect(response.finishReason == .stop)
            #expect(response.usage == Usage(inputTokens: 6425, outputTokens: 330))
            #expect(response.model == "meta-llama/Llama-3.2-11B-Vision-Instruct")
            #expect(response.quirks == ["tool_calls: [] on plain answers"])
            #expect(server.requests.first?.header("Authorization") == nil)
        }
    }

    @Test func fakePlainAnswerBothWays() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                VLLMFake.reply(.text("Cats sleep a lot."), stream: false),
                VLLMFake.reply(.text("Cats sleep a lot."), stream: true))
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            let response = try await provider.complete(request)
            let streamed = try #require(try await drain(provider.stream(request)).completed)
            for reply in [response, streamed] {
                #expect(reply.message.text == "Cats sleep a lot.")
                #expect(reply.finishReason == .stop)
                #expect(reply.usage == Usage(inputTokens: 20, outputTokens: 5))
                #expect(reply.model == VLLMFake.model)
            }
            #expect(response.quirks == ["tool_calls: [] on plain answers"])
            #expect(streamed.quirks.isEmpty)
        }
    }

    @Test func abortIsAnError() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"id":"chat-1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Cats","tool_calls":[]},"logprobs":null,"finish_reason":"abort","stop_reason":null}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"#
                ),
                .eventStream([
                    sse(#"{"id":"chat-1","choices":[{"index":0,"delta":{"content":"Cats"},"finish_reason":null}]}"#),
                    sse(#"{"id":"chat-1","choices":[{"index":0,"delta":{},"finish_reason":"abort"}]}"#), sseDone,
                ]))
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            let response = try await provider.complete(request)
            let streamed = try #require(try await drain(provider.stream(request)).completed)
            #expect(response.finishReason == .error)
            #expect(streamed.finishReason == .error)
            #expect(streamed.rawFinishReason == "abort")
        }
    }

    @Test func oldErrorBodyAndAutoToolChoiceHint() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                VLLMFake.oldError(status: 400, message: VLLMFake.autoToolChoiceMessage),
                VLLMFake.error(status: 400, message: VLLMFake.autoToolChoiceMessage, retryAfter: nil))
            let recorder = SleepRecorder()
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil, recorder: recorder)
            let tools = ModelRequest(
                model: "m", messages: [.user("Weather?")], tools: [weatherTool], toolChoice: .auto)
            let old = try await #require(throws: ProviderError.self) { try await provider.complete(tools) }
            let log = EventLog()
            let new = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(tools), into: log)
            }
            for error in [old, new] {
                #expect(error.status == 400)
                #expect(error.message.hasPrefix(VLLMFake.autoToolChoiceMessage))
                #expect(
                    error.message.contains(
                        "the vLLM server must be started with --enable-auto-tool-choice --tool-call-parser <parser>"))
                #expect(error.description.contains("llama3_json"))
                #expect(!error.isRetryable)
            }
            #expect(old.vendorCode == "400")
            #expect(await recorder.sleeps.isEmpty)
            #expect(server.requests.count == 2)
        }
    }

    @Test func oldErrorBodyWithoutHint() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                VLLMFake.oldError(
                    status: 400,
                    message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens."))
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(
                error.message
                    == "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.")
            #expect(error.vendorCode == "400")
        }
    }

    @Test func apiKeyServerRefusesAMissingKey() async throws {
        try await FakeVendorServer.withServer { server in
            VLLMFake.install(on: server, key: secretKey)
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 401)
            #expect(error.message == "Unauthorized")
        }
    }

    @Test func seedImageRequestIsSentAsWritten() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(VLLMFake.reply(.text("A white cat."), stream: false))
            let provider = presetProvider(kind: "vllm", baseURL: server.baseURL, key: nil)
            var options = GenerationOptions()
            options.extra = ["add_special_tokens": true]
            let image = try ImageAttachment.part(from: "https://example.com/link/to/your/image.jpg", detail: "auto")
            _ = try await provider.complete(
                ModelRequest(
                    model: VLLMFake.model, messages: [.user([.text("Here is an image for you to analyze:"), image])],
                    options: options))
            let expected = try JSONValue.parse(
                #"""
                {"model": "meta-llama/Llama-3.2-11B-Vision-Instruct", "add_special_tokens": true,
                 "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "Here is an image for you to analyze:"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/link/to/your/image.jpg",
                                                        "detail": "auto"}}]}]}
                """#)
            #expect(server.requests.first?.json == expected)
        }
    }
}
