import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// The adapter configured for a preset `kind`, with retries that record instead of sleeping.
func presetProvider(
    kind: String, baseURL: String, key: String? = secretKey, settings: JSONObject = JSONObject(),
    recorder: SleepRecorder = SleepRecorder()
) -> OpenAICompatibleProvider {
    OpenAICompatibleProvider(
        configuration: ProviderConfiguration(
            name: kind, kind: kind, baseURL: baseURL, apiKey: key, settings: settings),
        retry: RetryPolicy(maxRetries: 2, sleep: { duration in await recorder.record(duration) }))
}

/// The tool every round trip offers.
let weatherTool = ToolDefinition(
    name: "get_weather", description: "Current weather for a city",
    parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])

/// The two calls every round trip's first turn makes.
let twoCalls = FakeReply.calls(
    .init("get_weather", #"{"city":"Kazan"}"#), .init("get_weather", #"{"city":"Perm"}"#), inputTokens: 61,
    outputTokens: 38)

/// The answer every round trip's second turn gives.
let finalAnswer = FakeReply.text("Kazan -3, Perm -5.", inputTokens: 90, outputTokens: 9)

/// What a round trip saw.
struct RoundTrip {
    var first: ModelResponse
    var second: ModelResponse
    var requests: [RecordedRequest]
    var events: [ModelEvent]
}

/// Runs a two-tool-call turn and the answer after the results, against `fake` for preset `kind`, streamed or not.
func roundTrip(
    _ fake: any VendorFake.Type, kind: String, stream: Bool, settings: JSONObject = JSONObject(),
    model: String = "m"
) async throws -> RoundTrip {
    try await FakeVendorServer.withServer { server in
        fake.install(on: server, key: secretKey)
        server.enqueue(fake.reply(twoCalls, stream: stream), fake.reply(finalAnswer, stream: stream))
        let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server), settings: settings)
        var request = ModelRequest(
            model: model, messages: [.user("Weather in Kazan and Perm?")], tools: [weatherTool], toolChoice: .auto)
        var events: [ModelEvent] = []
        func ask() async throws -> ModelResponse {
            guard stream else { return try await provider.complete(request) }
            let streamed = try await drain(provider.stream(request))
            events += streamed
            return try #require(streamed.completed)
        }
        let first = try await ask()
        request.messages.append(first.message)
        for (index, call) in first.message.toolCalls.enumerated() {
            request.messages.append(.tool(callID: call.id, name: call.name, content: #"{"temp_c":-\#(3 + 2 * index)}"#))
        }
        let second = try await ask()
        return RoundTrip(first: first, second: second, requests: server.requests, events: events)
    }
}

/// Checks what every preset's round trip must show: two calls with their arguments, then the answer, and a second
/// request that sends the calls back with their results under the same ids.
func expectRoundTrip(_ trip: RoundTrip) throws {
    #expect(trip.first.message.toolCalls.map(\.name) == ["get_weather", "get_weather"])
    #expect(trip.first.message.toolCalls.map(\.arguments) == [#"{"city":"Kazan"}"#, #"{"city":"Perm"}"#])
    #expect(trip.first.finishReason == .toolCalls)
    #expect(trip.second.message.text == "Kazan -3, Perm -5.")
    #expect(trip.second.finishReason == .stop)
    #expect(trip.requests.count == 2)
    let body = try #require(trip.requests.last?.json)
    let messages = try #require(body["messages"]?.arrayValue)
    #expect(messages.count == 4)
    let assistant = messages[1]
    let ids = trip.first.message.toolCalls.map(\.id)
    #expect(assistant["tool_calls"]?.arrayValue?.map { $0["id"]?.stringValue } == ids)
    #expect(assistant["tool_calls"]?.element(0)?["function"]?["arguments"] == #"{"city":"Kazan"}"#)
    #expect(messages[2]["role"] == "tool")
    #expect(messages[2]["tool_call_id"]?.stringValue == ids[0])
    #expect(messages[3]["tool_call_id"]?.stringValue == ids[1])
    #expect(messages[3]["content"] == #"{"temp_c":-5}"#)
    #expect(body["tools"]?.element(0)?["function"]?["name"] == "get_weather")
    #expect(body["tool_choice"] == "auto")
}

/// A 1x1 PNG.
let pngBytes: [UInt8] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D,
    0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
]

/// Sends a user message with a text part and `image`, and returns the `content` the fake received.
func sentImageContent(
    _ fake: any VendorFake.Type, kind: String, image: ContentPart, model: String = "m"
) async throws -> JSONValue? {
    try await FakeVendorServer.withServer { server in
        fake.install(on: server, key: secretKey)
        server.enqueue(fake.reply(.text("A red pixel."), stream: false))
        let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server))
        let response = try await provider.complete(
            ModelRequest(model: model, messages: [.user([.text("What is on this picture?"), image])]))
        #expect(response.message.text == "A red pixel.")
        return server.requests.first?.json?["messages"]?.element(0)?["content"]
    }
}
