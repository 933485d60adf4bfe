import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Streamed Ollama replies: NDJSON deltas assembled into the same reply as a non-streamed one.
@Suite struct OllamaStreamTests {
    let request = ModelRequest(model: "llama3.2", messages: [.user("Hi")], tools: [weatherToolForVendors])

    /// Streams `reply` and also fetches it whole; returns the events and the non-streamed reply.
    func streamAndComplete(_ reply: FakeReply) async throws -> (events: [ModelEvent], whole: ModelResponse) {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server)
            server.enqueue(OllamaFake.reply(reply, stream: true), OllamaFake.reply(reply, stream: false))
            let events = try await drain(provider.stream(request))
            let whole = try await provider.complete(request)
            #expect(server.requests.first?.json?["stream"] == true)
            #expect(server.requests.last?.json?["stream"] == false)
            return (events, whole)
        }
    }

    /// Streams raw NDJSON `lines` and expects a ``ProviderError``; returns it with the events before it.
    func failure(_ lines: [String]) async throws -> (ProviderError, [ModelEvent]) {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeOllama(server, recorder: recorder, key: secretKey)
            server.enqueue(FakeResponse(chunks: lines))
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

    @Test func textStreamsAsDeltasAndMatchesTheWholeReply() async throws {
        let reply = FakeReply(text: "Kazan is cold.", reasoning: "Think first.", inputTokens: 30, outputTokens: 9)
        let (events, whole) = try await streamAndComplete(reply)
        #expect(events.reasoningDeltas == ["Think ", "first."])
        #expect(events.textDeltas == ["Kazan i", "s cold."])
        #expect(events.completedCount == 1)
        let streamed = try #require(events.completed)
        #expect(streamed == whole)
        #expect(streamed.message.text == "Kazan is cold.")
        #expect(streamed.usage == Usage(inputTokens: 30, outputTokens: 9))
        #expect(streamed.finishReason == .stop)
    }

    @Test func wholeToolCallsOnOneLineMatchTheWholeReply() async throws {
        let (events, whole) = try await streamAndComplete(parallelWeatherCalls)
        let streamed = try #require(events.completed)
        let deltas = events.compactMap { event -> String? in
            guard case .toolCallDelta(let index, let id, let name, let arguments) = event else { return nil }
            #expect(id == streamed.message.toolCalls[index].id)
            return "\(index) \(name ?? "-") \(arguments)"
        }
        #expect(deltas == [#"0 get_weather {"city":"Kazan"}"#, #"1 get_weather {"city":"Perm"}"#])
        #expect(streamed.withPositionalCallIDs == whole.withPositionalCallIDs)
        #expect(streamed.finishReason == .toolCalls)
        #expect(streamed.rawFinishReason == "stop")
        #expect(streamed.quirks.contains("tool calls with finish 'stop'"))
    }

    @Test func streamWithoutDoneLineIsTruncated() async throws {
        let (error, events) = try await failure(Array(OllamaFake.lines(.text("Kazan is cold.")).dropLast()))
        #expect(error.shortDescription == "provider_truncated_stream")
        #expect(error.description.contains("done"))
        #expect(events.textDeltas == ["Kazan i", "s cold."])
        #expect(events.completedCount == 0)
    }

    @Test func errorLineMidStreamFails() async throws {
        let lines = OllamaFake.lines(.text("Kazan is cold."))
        let (error, events) = try await failure([
            lines[0], OllamaFake.errorBody("an error was encountered while running the model: unexpected EOF") + "\n",
        ])
        #expect(error.shortDescription == "provider_stream_error")
        #expect(error.message == "error in stream: an error was encountered while running the model: unexpected EOF")
        #expect(error.provider == "local")
        #expect(events.textDeltas == ["Kazan i"])
    }

    @Test func lineThatIsNotJSONIsMalformed() async throws {
        let (error, _) = try await failure(["<html>502</html>\n"])
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.status == 200)
        #expect(error.bodySnippet == "<html>502</html>")
    }

    @Test func lastLineWithoutNewlineStillCounts() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server)
            let lines = OllamaFake.lines(.text("Hi there"))
            server.enqueue(FakeResponse(chunks: lines.dropLast() + [String(lines.last!.dropLast())]))
            let events = try await drain(provider.stream(request))
            #expect(events.completed?.message.text == "Hi there")
        }
    }
}
