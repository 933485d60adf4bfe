import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Streamed Yandex replies: cumulative NDJSON lines turned into deltas.
@Suite struct YandexStreamTests {
    let request = ModelRequest(model: "yandexgpt-lite", messages: [.user("Переведи")])

    /// Streams a reply written as `chunks`; returns the events and the request the server got.
    func events(_ response: FakeResponse) async throws -> ([ModelEvent], RecordedRequest?) {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: yandexFolder)
            server.enqueue(response)
            let events = try await drain(makeYandex(server).stream(request))
            return (events, server.requests.first)
        }
    }

    /// Streams `chunks` expecting a ``ProviderError``; returns it with the events before it.
    func failure(_ chunks: [String]) async throws -> (ProviderError, [ModelEvent]) {
        try await FakeVendorServer.withServer { server in
            server.enqueue(FakeResponse(chunks: chunks))
            let log = EventLog()
            let recorder = SleepRecorder()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(makeYandex(server, recorder: recorder).stream(request), into: log)
            }
            #expect(server.requests.count == 1)
            #expect(await recorder.sleeps.isEmpty)
            return (error, log.events)
        }
    }

    @Test func cumulativeTextBecomesDeltas() async throws {
        let text = "Быть или не быть — вот в чём вопрос."
        let (events, recorded) = try await events(YandexFake.reply(.text(text, outputTokens: 11), stream: true))
        #expect(recorded?.json?["completionOptions"]?["stream"] == true)
        #expect(events.textDeltas.count == 3)
        #expect(events.textDeltas.joined() == text)
        let response = try #require(events.completed)
        #expect(response.message.text == text)
        #expect(response.finishReason == .stop)
        #expect(response.usage == Usage(inputTokens: 20, outputTokens: 11))
        #expect(response.quirks.contains("cumulative stream text"))
        #expect(response.quirks.contains("int64 as strings"))
    }

    @Test func toolCallsArriveWholeOnTheTerminalLine() async throws {
        let (events, _) = try await events(
            YandexFake.reply(
                .calls(.init("get_weather", #"{"city":"Казань"}"#), .init("get_weather", #"{"city":"Пермь"}"#)),
                stream: true))
        let deltas = events.yandexToolDeltas
        #expect(deltas.map(\.0) == [0, 1])
        #expect(deltas.map(\.2) == ["get_weather", "get_weather"])
        #expect(deltas.map(\.3) == [#"{"city":"Казань"}"#, #"{"city":"Пермь"}"#])
        let response = try #require(events.completed)
        #expect(response.finishReason == .toolCalls)
        #expect(response.message.toolCalls.map(\.id) == deltas.map(\.1))
        #expect(events.textDeltas.isEmpty)
    }

    @Test func streamWithoutTerminalStatusIsTruncated() async throws {
        let (error, events) = try await failure([yandexLine("Быть"), yandexLine("Быть или", output: 3)])
        #expect(error.shortDescription == "provider_truncated_stream")
        #expect(error.description.contains("ALTERNATIVE_STATUS_PARTIAL"))
        #expect(events.textDeltas == ["Быть", " или"])
    }

    @Test func errorLineMidStream() async throws {
        let errorLine =
            YandexFake.errorBody(status: 500, grpcCode: 13, message: "Internal server error").serialized() + "\n"
        let (error, events) = try await failure([yandexLine("Быть"), errorLine])
        #expect(error.shortDescription == "provider_stream_error")
        #expect(error.message == "error in stream: Internal server error")
        #expect(error.vendorCode == "13")
        #expect(events.textDeltas == ["Быть"])
    }

    @Test func rewrittenTextIsSentWholeAndNoted() async throws {
        let (events, _) = try await events(
            FakeResponse(chunks: [
                yandexLine("Быть"), yandexLine("Жить"),
                yandexLine("Жить или нет", status: "ALTERNATIVE_STATUS_FINAL", output: 4),
            ]))
        #expect(events.textDeltas == ["Быть", "Жить", " или нет"])
        #expect(events.completed?.message.text == "Жить или нет")
        #expect(events.completed?.quirks.contains("stream text rewritten (sent again whole)") == true)
    }

    @Test func notJSONLineIsMalformed() async throws {
        let (error, _) = try await failure([yandexLine("Быть"), "data: {oops}\n"])
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.description.contains("data: {oops}"))
    }

    @Test func refusedTopicEndsTheStreamWithContentFilter() async throws {
        let (events, _) = try await events(YandexFake.topicRefusal())
        #expect(events.count == 1)
        #expect(events.completed?.finishReason == .contentFilter)
    }
}
