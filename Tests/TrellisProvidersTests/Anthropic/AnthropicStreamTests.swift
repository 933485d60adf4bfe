import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Streamed Anthropic replies: typed SSE events assembled into the same reply as a non-streamed one.
@Suite struct AnthropicStreamTests {
    let request = ModelRequest(model: "claude-sonnet-4-5", messages: [.user("Hi")], tools: [weatherToolForVendors])

    /// Streams `reply` and also fetches it whole; returns the events and the non-streamed reply.
    func streamAndComplete(_ reply: FakeReply) async throws -> (events: [ModelEvent], whole: ModelResponse) {
        try await FakeVendorServer.withServer { server in
            let provider = makeAnthropic(server)
            server.enqueue(AnthropicFake.reply(reply, stream: true), AnthropicFake.reply(reply, stream: false))
            let events = try await drain(provider.stream(request))
            let whole = try await provider.complete(request)
            #expect(server.requests.first?.json?["stream"] == true)
            #expect(server.requests.last?.json?["stream"] == nil)
            return (events, whole)
        }
    }

    /// Streams raw `chunks` and expects a ``ProviderError``; returns it with the events before it.
    func failure(_ chunks: [String]) async throws -> (ProviderError, [ModelEvent]) {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeAnthropic(server, recorder: recorder)
            server.enqueue(.eventStream(chunks))
            let log = EventLog()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(request), into: log)
            }
            #expect(server.requests.count == 1)
            #expect(await recorder.sleeps.isEmpty)
            #expect(!error.description.contains(secretKey))
            return (error, log.events)
        }
    }

    @Test func textStreamsInDeltasAndMatchesTheWholeReply() async throws {
        let reply = FakeReply(text: "Kazan is cold.", reasoning: "Think first.", inputTokens: 30, outputTokens: 9)
        let (events, whole) = try await streamAndComplete(reply)
        #expect(events.textDeltas == ["Kazan i", "s cold."])
        #expect(events.reasoningDeltas == ["Think ", "first."])
        #expect(events.completedCount == 1)
        let streamed = try #require(events.completed)
        #expect(streamed == whole)
        #expect(streamed.message.text == "Kazan is cold.")
        #expect(streamed.message.reasoning == "Think first.")
        #expect(streamed.usage == Usage(inputTokens: 30, outputTokens: 9))
        #expect(streamed.finishReason == .stop)
        #expect(streamed.model == AnthropicFake.model)
    }

    @Test func toolCallsStreamByIndexAndMatchTheWholeReply() async throws {
        var reply = parallelWeatherCalls
        reply.text = "Checking."
        let (events, whole) = try await streamAndComplete(reply)
        let deltas = events.compactMap { event -> String? in
            guard case .toolCallDelta(let index, let id, let name, let arguments) = event else { return nil }
            return "\(index) \(id ?? "-") \(name ?? "-") \(arguments)"
        }
        #expect(
            deltas == [
                "0 \(AnthropicFake.callID(0)) get_weather ", #"0 - - {"city":"#, #"0 - - "Kazan"}"#,
                "1 \(AnthropicFake.callID(1)) get_weather ", #"1 - - {"city""#, #"1 - - :"Perm"}"#,
            ])
        let streamed = try #require(events.completed)
        #expect(streamed == whole)
        #expect(streamed.message.toolCalls.map(\.arguments) == [#"{"city":"Kazan"}"#, #"{"city":"Perm"}"#])
        #expect(streamed.finishReason == .toolCalls)
        #expect(streamed.rawFinishReason == "tool_use")
        #expect(streamed.usage == Usage(inputTokens: 61, outputTokens: 38))
    }

    @Test func toolCallWithoutInputDeltasHasEmptyObject() async throws {
        let (events, _) = try await streamAndComplete(.calls(.init("clock", "")))
        #expect(events.completed?.message.toolCalls.first?.arguments == "{}")
    }

    @Test func streamWithoutMessageStopIsTruncated() async throws {
        let chunks = AnthropicFake.events(.text("Kazan is cold."))
        let (error, events) = try await failure(Array(chunks.dropLast(2)))
        #expect(error.shortDescription == "provider_truncated_stream")
        #expect(error.description.contains("message_stop"))
        #expect(events.textDeltas == ["Kazan i", "s cold."])
        #expect(events.completedCount == 0)
    }

    @Test func errorEventMidStreamFails() async throws {
        let chunks = AnthropicFake.events(.text("Kazan is cold."))
        let (error, events) = try await failure(Array(chunks.prefix(4)) + [AnthropicFake.errorEvent()])
        #expect(error.shortDescription == "provider_stream_error")
        #expect(error.vendorCode == "overloaded_error")
        #expect(error.message == "error in stream: Overloaded")
        #expect(error.provider == "claude")
        #expect(events.textDeltas == ["Kazan i"])
    }

    @Test func eventThatIsNotJSONIsMalformed() async throws {
        let (error, _) = try await failure(["event: message_start\ndata: {not json\n\n"])
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.status == 200)
        #expect(error.bodySnippet == "{not json")
    }
}
