import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Streamed replies, with chunks written the way vendors write them.
@Suite struct OpenAIStreamTests {
    /// Streams a reply made of `chunks` and returns every event.
    func events(_ chunks: [String]) async throws -> [ModelEvent] {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.eventStream(chunks))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            let events = try await drain(provider.stream(ModelRequest(model: "m", messages: [.user("Hi")])))
            #expect(server.requests.count == 1)
            return events
        }
    }

    /// Streams `chunks`, expects the stream to throw a ``ProviderError``, and returns it with the events before it.
    func failure(_ chunks: [String]) async throws -> (ProviderError, [ModelEvent]) {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.eventStream(chunks))
            let recorder = SleepRecorder()
            let provider = makeProvider(baseURL: server.baseURL, recorder: recorder)
            let log = EventLog()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(ModelRequest(model: "m", messages: [.user("Hi")])), into: log)
            }
            #expect(server.requests.count == 1)
            #expect(await recorder.sleeps.isEmpty)
            #expect(!error.description.contains(secretKey))
            return (error, log.events)
        }
    }

    func chunk(_ delta: String, finish: String = "null", usage: String = "") -> String {
        sse(
            #"{"id":"c1","object":"chat.completion.chunk","created":1735689600,"model":"gpt-4o-mini","choices":[{"index":0,"delta":\#(delta),"finish_reason":\#(finish)}]\#(usage)}"#
        )
    }

    @Test func textDeltasInOrderThenCompleted() async throws {
        let events = try await events([
            chunk(#"{"role":"assistant","content":""}"#),
            chunk(#"{"content":"Kazan"}"#),
            chunk(#"{"content":" is"}"#),
            chunk(#"{"content":" cold."}"#),
            chunk("{}", finish: #""stop""#),
            sseDone,
        ])
        #expect(events.textDeltas == ["Kazan", " is", " cold."])
        #expect(events.count == 4)
        #expect(events.completedCount == 1)
        let response = try #require(events.completed)
        #expect(response.message.text == "Kazan is cold.")
        #expect(response.finishReason == .stop)
        #expect(response.rawFinishReason == "stop")
        #expect(response.model == "gpt-4o-mini")
        #expect(response.message.toolCalls.isEmpty)
    }

    @Test func framingQuirksSplitLinesCRLFAndKeepAlives() async throws {
        let first = #"data: {"choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}"#
        let splitAt = first.index(first.startIndex, offsetBy: 30)
        let events = try await events([
            ": keep-alive\r\n\r\n",
            String(first[..<splitAt]),
            String(first[splitAt...]) + "\r\n\r\n",
            ": keep-alive\r\n\r\n",
            #"data: {"choices":[{"index":0,"delta":{"content":"lo, "},"finish_reason":null}]}"# + "\r\n\r\ndata: ",
            #"{"choices":[{"index":0,"delta":{"content":"Привет"},"finish_reason":"stop"}]}"# + "\r\n",
            "\r\n",
            ":\r\n",
            "data: [DONE]\r\n\r\n",
        ])
        #expect(events.textDeltas == ["Hel", "lo, ", "Привет"])
        #expect(events.completed?.message.text == "Hello, Привет")
        #expect(events.completed?.finishReason == .stop)
    }

    @Test func parallelToolCallFragmentsAccumulateByIndex() async throws {
        let events = try await events([
            chunk(#"{"role":"assistant","content":null}"#),
            chunk(
                #"{"tool_calls":[{"index":0,"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":""}}]}"#
            ),
            chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}"#),
            chunk(
                #"{"tool_calls":[{"index":1,"id":"call_b2","type":"function","function":{"name":"get_weather","arguments":""}}]}"#
            ),
            chunk(#"{"tool_calls":[{"index":1,"function":{"arguments":"{\"city\":\"Perm\"}"}}]}"#),
            chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"\"Kazan\"}"}}]}"#),
            chunk("{}", finish: #""tool_calls""#),
            sseDone,
        ])
        let deltas = events.filter { if case .toolCallDelta = $0 { return true } else { return false } }
        #expect(
            deltas == [
                .toolCallDelta(index: 0, id: "call_a1", name: "get_weather", arguments: ""),
                .toolCallDelta(index: 0, id: nil, name: nil, arguments: #"{"city":"#),
                .toolCallDelta(index: 1, id: "call_b2", name: "get_weather", arguments: ""),
                .toolCallDelta(index: 1, id: nil, name: nil, arguments: #"{"city":"Perm"}"#),
                .toolCallDelta(index: 0, id: nil, name: nil, arguments: #""Kazan"}"#),
            ])
        let response = try #require(events.completed)
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
                ToolCall(id: "call_b2", name: "get_weather", arguments: #"{"city":"Perm"}"#),
            ])
        #expect(response.finishReason == .toolCalls)
        #expect(events.textDeltas.isEmpty)
    }

    @Test func explicitNullsEverywhereAsLlamaCppPythonSends() async throws {
        let prefix =
            #"{"id":"chatcmpl-7","object":"chat.completion.chunk","created":1735689600,"model":"qwen","choices":[{"index":0,"delta":"#
        let events = try await events([
            sse(
                prefix
                    + #"{"role":"assistant","content":null,"function_call":null,"tool_calls":null},"logprobs":null,"finish_reason":null}]}"#
            ),
            sse(
                prefix
                    + #"{"role":null,"content":"Checking","function_call":null,"tool_calls":null},"logprobs":null,"finish_reason":null}]}"#
            ),
            sse(
                prefix
                    + #"{"role":null,"content":null,"function_call":null,"tool_calls":[{"index":0,"id":"call__0_get_weather_cmpl-7","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}"#
            ),
            sse(
                prefix
                    + #"{"role":null,"content":null,"function_call":null,"tool_calls":[{"index":0,"id":null,"type":null,"function":{"name":null,"arguments":"{\"city\": \"Kazan\"}"}}]},"logprobs":null,"finish_reason":null}]}"#
            ),
            sse(
                prefix
                    + #"{"role":null,"content":null,"function_call":null,"tool_calls":null},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}"#
            ),
            sseDone,
        ])
        #expect(events.textDeltas == ["Checking"])
        let response = try #require(events.completed)
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call__0_get_weather_cmpl-7", name: "get_weather", arguments: #"{"city": "Kazan"}"#)
            ])
        #expect(response.message.text == "Checking")
        #expect(response.finishReason == .toolCalls)
        #expect(response.usage == nil)
    }

    @Test func parallelCallsAllAtIndexZeroAreSplitByNewIDs() async throws {
        let events = try await events([
            chunk(
                #"{"tool_calls":[{"index":0,"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":""}}]}"#
            ),
            chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Kazan\"}"}}]}"#),
            chunk(
                #"{"tool_calls":[{"index":0,"id":"call_b2","type":"function","function":{"name":"get_time","arguments":""}}]}"#
            ),
            chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"tz\":\"Europe/Samara\"}"}}]}"#),
            chunk("{}", finish: #""tool_calls""#),
            sseDone,
        ])
        let response = try #require(events.completed)
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
                ToolCall(id: "call_b2", name: "get_time", arguments: #"{"tz":"Europe/Samara"}"#),
            ])
        let starts = events.compactMap { event -> Int? in
            if case .toolCallDelta(let index, let id?, _, _) = event, id.hasPrefix("call_") { return index }
            return nil
        }
        #expect(starts == [0, 1])
    }

    @Test func repeatedSameIDOnEveryFragmentIsOneCall() async throws {
        let events = try await events([
            chunk(
                #"{"tool_calls":[{"index":0,"id":"call_a1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":"}}]}"#
            ),
            chunk(#"{"tool_calls":[{"index":0,"id":"call_a1","function":{"arguments":"\"Kazan\"}"}}]}"#),
            chunk("{}", finish: #""tool_calls""#),
            sseDone,
        ])
        #expect(
            events.completed?.message.toolCalls == [
                ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#)
            ])
    }

    @Test func wholeCallInOneChunkWithStopIsAToolTurn() async throws {
        // Ollama /v1 sends each call complete and says "stop".
        let events = try await events([
            sse(
                #"{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"id":"call_x9","index":0,"type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Kazan\"}"}}]},"finish_reason":null}]}"#
            ),
            sse(
                #"{"id":"chatcmpl-1","object":"chat.completion.chunk","model":"qwen2.5","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}"#
            ),
            sseDone,
        ])
        let response = try #require(events.completed)
        #expect(
            response.message.toolCalls == [
                ToolCall(id: "call_x9", name: "get_weather", arguments: #"{"city":"Kazan"}"#)
            ])
        #expect(response.finishReason == .toolCalls)
        #expect(response.rawFinishReason == "stop")
    }

    @Test func usageChunkWithEmptyChoices() async throws {
        let events = try await events([
            chunk(#"{"role":"assistant","content":"Hi"}"#, usage: #","usage":null"#),
            chunk("{}", finish: #""stop""#, usage: #","usage":null"#),
            sse(
                #"{"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":61,"completion_tokens":19,"total_tokens":80}}"#
            ),
            sseDone,
        ])
        let response = try #require(events.completed)
        #expect(response.usage == Usage(inputTokens: 61, outputTokens: 19))
        #expect(response.message.text == "Hi")
        #expect(response.finishReason == .stop)
    }

    @Test func noUsageAtAll() async throws {
        let events = try await events([
            chunk(#"{"content":"Hi"}"#),
            chunk("{}", finish: #""stop""#),
            sseDone,
        ])
        let response = try #require(events.completed)
        #expect(response.usage == nil)
        #expect(response.message.text == "Hi")
    }

    @Test func reasoningContentDeltas() async throws {
        let events = try await events([
            chunk(#"{"role":"assistant","content":null,"reasoning_content":"Two plus"}"#),
            chunk(#"{"content":null,"reasoning_content":" two."}"#),
            chunk(#"{"content":"4","reasoning_content":null}"#),
            chunk("{}", finish: #""stop""#),
            sseDone,
        ])
        #expect(events.reasoningDeltas == ["Two plus", " two."])
        #expect(events.textDeltas == ["4"])
        #expect(events.first == .reasoningDelta("Two plus"))
        let response = try #require(events.completed)
        #expect(response.message.reasoning == "Two plus two.")
        #expect(response.message.text == "4")
    }

    @Test func reasoningDeltasUnderTheNewFieldName() async throws {
        let events = try await events([
            chunk(#"{"role":"assistant","content":null,"reasoning_content":null,"reasoning":"Two plus two."}"#),
            chunk(#"{"content":"4","reasoning_content":null,"reasoning":null}"#),
            chunk("{}", finish: #""stop""#),
            sseDone,
        ])
        #expect(events.reasoningDeltas == ["Two plus two."])
        #expect(events.completed?.message.reasoning == "Two plus two.")
        #expect(events.completed?.message.text == "4")
    }

    @Test func streamWithoutDoneIsTruncated() async throws {
        let (error, events) = try await failure([
            chunk(#"{"content":"Kazan"}"#),
            chunk(#"{"content":" is"}"#),
            chunk("{}", finish: #""stop""#),
        ])
        #expect(error.shortDescription == "provider_truncated_stream")
        #expect(error.provider == "fake")
        #expect(events.textDeltas == ["Kazan", " is"])
        #expect(events.completedCount == 0)
    }

    @Test("an empty 200 body is a refused stream (send it unstreamed), not a truncated one")
    func emptyBodyIsRefusedStream() async throws {
        let (error, events) = try await failure([])
        #expect(error.isStreamRefused)
        #expect(error.shortDescription == "provider_stream_refused")
        #expect(
            error.description
                == "provider 'fake': HTTP 200: the server answered the streamed request with an empty body: "
                + "it cannot stream this request; send it without streaming")
        #expect(events.isEmpty)
    }

    @Test func midStreamErrorEventThrows() async throws {
        let (error, events) = try await failure([
            chunk(#"{"content":"Kazan"}"#),
            sse(
                #"{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":"internal_error"}}"#
            ),
            chunk(#"{"content":" never seen"}"#),
            sseDone,
        ])
        #expect(error.shortDescription == "provider_stream_error")
        #expect(error.message.contains("The server had an error while processing your request."))
        #expect(error.vendorCode == "internal_error")
        #expect(events.textDeltas == ["Kazan"])
        #expect(events.completedCount == 0)
    }

    @Test func namedBillingEventIsProviderExtraNotAChunk() async throws {
        // Dewiar: minimal chunks, then a named event, then [DONE].
        let events = try await events([
            sse(#"{"choices":[{"delta":{"content":"Казань."}}]}"#),
            sse(#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#),
            "event: billing_update\n"
                + #"data: {"billing":{"request_cost":0.0000021,"balance_remaining":9.94,"using_own_key":false}}"#
                + "\n\n",
            sseDone,
        ])
        #expect(events.count == 3)
        #expect(events.first == .textDelta("Казань."))
        guard case .providerExtra(let name, let value)? = events.dropLast().last else {
            Issue.record("expected a providerExtra event before .completed, got \(events)")
            return
        }
        #expect(name == "billing_update")
        #expect(value["billing"]?["balance_remaining"]?.doubleValue == 9.94)
        #expect(value["billing"]?["using_own_key"] == false)
        let response = try #require(events.completed)
        #expect(response.message.text == "Казань.")
        #expect(response.finishReason == .stop)
        #expect(response.usage == nil)
    }
}
