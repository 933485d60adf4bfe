import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Non-streamed Yandex replies, as the caller sees them.
@Suite struct YandexCompleteTests {
    let request = ModelRequest(model: "yandexgpt", messages: [.user("Привет")])

    /// Completes against a server answering `response`.
    func complete(_ response: FakeResponse) async throws -> ModelResponse {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: yandexFolder)
            server.enqueue(response)
            return try await makeYandex(server).complete(request)
        }
    }

    @Test func textReplyWithStringCounters() async throws {
        let response = try await complete(
            YandexFake.reply(.text("Привет! Чем помочь?", outputTokens: 7), stream: false))
        #expect(response.message.text == "Привет! Чем помочь?")
        #expect(response.finishReason == .stop)
        #expect(response.rawFinishReason == "ALTERNATIVE_STATUS_FINAL")
        #expect(response.usage == Usage(inputTokens: 20, outputTokens: 7))
        #expect(response.model == YandexFake.modelVersion)
        #expect(response.quirks == ["int64 as strings"])
    }

    @Test func toolCallsGetIdsAndArgumentsAsText() async throws {
        let response = try await complete(
            YandexFake.reply(
                .calls(.init("get_weather", #"{"city":"Казань"}"#), .init("get_weather", #"{"city":"Пермь"}"#)),
                stream: false))
        let calls = response.message.toolCalls
        #expect(calls.map(\.name) == ["get_weather", "get_weather"])
        #expect(calls.map(\.arguments) == [#"{"city":"Казань"}"#, #"{"city":"Пермь"}"#])
        #expect(calls.allSatisfy { $0.id.hasPrefix("call_") })
        #expect(Set(calls.map(\.id)).count == 2)
        #expect(response.finishReason == .toolCalls)
        #expect(response.quirks.contains("arguments as object"))
        #expect(response.quirks.contains("call ids missing (synthesised)"))
    }

    @Test func unwrappedAlternativesAndReasoningTokens() async throws {
        let response = try await complete(
            .json(
                #"{"alternatives":[{"message":{"role":"assistant","text":"Да."},"status":"ALTERNATIVE_STATUS_FINAL"}],"usage":{"inputTextTokens":"74","completionTokens":"14","totalTokens":"88","completionTokensDetails":{"reasoningTokens":"9"}},"modelVersion":"23.10.2024"}"#
            ))
        #expect(response.message.text == "Да.")
        #expect(response.usage == Usage(inputTokens: 74, outputTokens: 14, reasoningTokens: 9))
    }

    func status(_ status: String, text: String = "Текст") -> FakeResponse {
        .json(
            #"{"result":{"alternatives":[{"message":{"role":"assistant","text":"\#(text)"},"status":"\#(status)"}],"usage":{"inputTextTokens":"1","completionTokens":"1","totalTokens":"2"}}}"#
        )
    }

    @Test func statusesFollowTheFinishTable() async throws {
        #expect(try await complete(status("ALTERNATIVE_STATUS_PARTIAL")).finishReason == .error)
        #expect(try await complete(status("ALTERNATIVE_STATUS_TRUNCATED_FINAL")).finishReason == .length)
        #expect(try await complete(status("ALTERNATIVE_STATUS_CONTENT_FILTER")).finishReason == .contentFilter)
        #expect(try await complete(status("ALTERNATIVE_STATUS_UNSPECIFIED")).finishReason == .stop)
        #expect(try await complete(status("ALTERNATIVE_STATUS_UNSPECIFIED", text: "")).finishReason == .error)
        let truncatedCall = try await complete(
            .json(
                #"{"result":{"alternatives":[{"message":{"role":"assistant","toolCallList":{"toolCalls":[{"functionCall":{"name":"clock","arguments":{}}}]}},"status":"ALTERNATIVE_STATUS_TRUNCATED_FINAL"}]}}"#
            ))
        #expect(truncatedCall.finishReason == .length)
        // A tool call under a plain final status is still a tool turn.
        let finalCall = try await complete(
            .json(
                #"{"result":{"alternatives":[{"message":{"role":"assistant","toolCallList":{"toolCalls":[{"functionCall":{"name":"clock","arguments":{}}}]}},"status":"ALTERNATIVE_STATUS_FINAL"}]}}"#
            ))
        #expect(finalCall.finishReason == .toolCalls)
        #expect(finalCall.message.toolCalls.first?.arguments == "{}")
    }

    @Test func refusedTopicIsAContentFilterReply() async throws {
        let response = try await complete(YandexFake.topicRefusal())
        #expect(response.finishReason == .contentFilter)
        #expect(response.message.text.isEmpty)
        #expect(response.rawFinishReason == "An answer to a given topic cannot be generated")
    }

    @Test func unknownBodyShapeIsMalformed() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(#"{"choices":[{"message":{"content":"hi"}}]}"#))
            let recorder = SleepRecorder()
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server, recorder: recorder).complete(request)
            }
            #expect(error.shortDescription == "provider_malformed_response")
            #expect(error.status == 200)
            #expect(error.description.contains("provider 'yc'"))
            #expect(error.description.contains("HTTP 200"))
            #expect(error.description.contains(#"body: {"choices":[{"message":{"content":"hi"}}]}"#))
            #expect(server.requests.count == 1)
            #expect(await recorder.sleeps.isEmpty)
        }
    }

    @Test func nonJSONBodyIsMalformed() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.text("<html>502 Bad Gateway</html>", status: 200))
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server).complete(request)
            }
            #expect(error.shortDescription == "provider_malformed_response")
            #expect(error.description.contains("<html>502 Bad Gateway</html>"))
        }
    }
}
