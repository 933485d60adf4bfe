import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Amvera replies per route, the one-reply stream, and errors.
@Suite struct AmveraReplyTests {
    @Test func gptToolCallRoundTrip() async throws {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            AmveraFake.serve(
                [
                    .calls(.init("get_weather", #"{"city":"Kazan"}"#), .init("get_weather", #"{"city":"Perm"}"#)),
                    .text("Kazan −3, Perm −5."),
                ], on: server)
            let provider = try makeAmvera(server)
            var request = ModelRequest(
                model: "gpt-5", messages: [.user("Weather in Kazan and Perm?")],
                tools: [ToolDefinition(name: "get_weather", description: "Weather")])
            let first = try await provider.complete(request)
            #expect(first.finishReason == .toolCalls)
            #expect(first.message.toolCalls.map(\.id) == ["call_1", "call_2"])
            #expect(first.message.toolCalls.map(\.arguments) == [#"{"city":"Kazan"}"#, #"{"city":"Perm"}"#])
            request.messages.append(first.message)
            request.messages.append(.tool(callID: "call_1", name: "get_weather", content: "-3"))
            request.messages.append(.tool(callID: "call_2", name: "get_weather", content: "-5"))
            let second = try await provider.complete(request)
            #expect(second.message.text == "Kazan −3, Perm −5.")
            #expect(second.finishReason == .stop)
            #expect(second.quirks.contains("message text in 'text'"))
            let messages = try #require(server.requests.last?.json?["messages"]?.arrayValue)
            #expect(
                messages[1].serialized()
                    == #"{"role":"assistant","text":"","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}},{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Perm\"}"}}]}"#
            )
            #expect(messages[2].serialized() == #"{"role":"tool","tool_call_id":"call_1","text":"-3"}"#)
            #expect(messages[3].serialized() == #"{"role":"tool","tool_call_id":"call_2","text":"-5"}"#)
        }
    }

    @Test func gptContentIsReadToo() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(OpenAIFake.body(.text("from content"))))
            let response = try await makeAmvera(server).complete(ModelRequest(model: "gpt-5", messages: [.user("Hi")]))
            #expect(response.message.text == "from content")
            #expect(response.quirks.isEmpty)
        }
    }

    @Test func llamaTextWithStringCounters() async throws {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            AmveraFake.serve([.text("Привет! Чем помочь?", inputTokens: 21, outputTokens: 7)], on: server)
            let response = try await makeAmvera(server).complete(
                ModelRequest(model: "llama8b", messages: [.user("Привет!")]))
            #expect(response.message.text == "Привет! Чем помочь?")
            #expect(response.finishReason == .stop)
            #expect(response.usage == Usage(inputTokens: 21, outputTokens: 7))
            #expect(response.quirks.contains("int64 as strings"))
        }
    }

    @Test func deepseekTopLevelAlternatives() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"alternatives":[{"message":{"role":"assistant","text":"<think>hm</think>Да."},"status":"ALTERNATIVE_STATUS_FINAL"}],"usage":{"inputTextTokens":"5","completionTokens":"3","totalTokens":"8"}}"#
                ))
            let response = try await makeAmvera(server).complete(
                ModelRequest(model: "deepseek-R1", messages: [.user("?")]))
            #expect(response.message.text == "<think>hm</think>Да.")
            #expect(response.usage?.inputTokens == 5)
        }
    }

    @Test func streamingHandsOutTheSingleReply() async throws {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            AmveraFake.serve([.text("Целиком"), .calls(.init("clock", "{}"))], on: server)
            let provider = try makeAmvera(server)
            let text = try await drain(provider.stream(ModelRequest(model: "llama70b", messages: [.user("Hi")])))
            #expect(text.textDeltas == ["Целиком"])
            #expect(text.completed?.finishReason == .stop)
            let calls = try await drain(provider.stream(ModelRequest(model: "gpt-4.1", messages: [.user("Hi")])))
            #expect(calls.count == 2)
            #expect(calls.completed?.message.toolCalls.map(\.name) == ["clock"])
            #expect(server.requests.count == 2)
        }
    }

    /// Completes against `responses`; returns the error, the request count and the sleeps.
    func failure(_ responses: [FakeResponse], key: String = secretKey) async throws
        -> (ProviderError, Int, [Duration])
    {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            for response in responses { server.enqueue(response) }
            let recorder = SleepRecorder()
            let error = try await #require(throws: ProviderError.self) {
                try await makeAmvera(server, recorder: recorder, key: key).complete(
                    ModelRequest(model: "llama8b", messages: [.user("Hi")]))
            }
            #expect(!error.description.contains(secretKey))
            return (error, server.requests.count, await recorder.sleeps)
        }
    }

    @Test func wrongTokenIs401() async throws {
        let (error, requests, sleeps) = try await failure([], key: "wrong-token")
        #expect(error.status == 401)
        #expect(error.message == "Unauthorized")
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
    }

    @Test func tokenInAuthorizationIsRefused() async throws {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            let provider = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(
                    name: "amv", kind: "openai", baseURL: AmveraFake.baseURL(of: server) + "/models/llama",
                    apiKey: secretKey))
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(ModelRequest(model: "llama8b", messages: [.user("Hi")]))
            }
            #expect(error.status == 401)
        }
    }

    @Test func noBalanceIsNotRetried() async throws {
        let (error, requests, sleeps) = try await failure([
            AmveraFake.error(status: 402, message: "Недостаточно средств на балансе", retryAfter: nil)
        ])
        #expect(error.status == 402)
        #expect(error.message == "Недостаточно средств на балансе")
        #expect(!error.isRetryable)
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
    }

    @Test func rateLimitIsRetried() async throws {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            server.enqueue(AmveraFake.error(status: 429, message: "API rate limit exceeded", retryAfter: 1))
            AmveraFake.serve([.text("ok")], on: server)
            let recorder = SleepRecorder()
            let response = try await makeAmvera(server, recorder: recorder).complete(
                ModelRequest(model: "qwen3_30b", messages: [.user("Hi")]))
            #expect(response.message.text == "ok")
            #expect(server.requests.count == 2)
            #expect(await recorder.sleeps == [.seconds(1)])
        }
    }

    @Test func serverErrorsAreRetriedThenSurface() async throws {
        let gateway = FakeResponse.text("upstream timed out", status: 500)
        let (error, requests, sleeps) = try await failure([gateway, gateway, gateway])
        #expect(error.status == 500)
        #expect(error.message == "upstream timed out")
        #expect(requests == 3)
        #expect(sleeps.count == 2)
    }

    @Test func unknownBodyIsMalformed() async throws {
        let (error, requests, _) = try await failure([.json(#"{"answer":"hi"}"#)])
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.status == 200)
        #expect(error.description.contains("provider 'amv'"))
        #expect(error.description.contains("neither choices nor alternatives"))
        #expect(error.description.contains(#"{"answer":"hi"}"#))
        #expect(requests == 1)
    }
}
