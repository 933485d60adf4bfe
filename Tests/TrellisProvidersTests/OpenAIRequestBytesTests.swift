import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// The body text written from each message's cached encoding is byte for byte the one the JSON tree gives.
@Suite struct OpenAIRequestBytesTests {
    static let calls = [
        ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
        ToolCall(id: "call_b2", name: "get_weather", arguments: #"{"city":"Пермь \"центр\""}"#),
    ]

    static let transcript: [ChatMessage] = [
        .system("You are terse.\nAnswer in one line.\t\u{1}"),
        .user("Weather in Kazan and Пермь? 🌧 \\ / \"quoted\""),
        .user([.text("What is this?"), .image(url: "data:image/png;base64,iVBORw0KGgo=", detail: "low")]),
        .user([.image(url: "https://example.com/cat.jpg")]),
        .assistant("", toolCalls: calls),
        .tool(callID: "call_a1", name: "get_weather", content: #"{"temp_c":-3}"#),
        .tool(callID: "call_b2", name: "get_weather", content: "still -5\r\n"),
        .assistant("Kazan -3, Perm -5.", reasoning: "read both results"),
        ChatMessage(role: .tool, content: [], toolCallID: nil),
    ]

    static let weatherTool = ToolDefinition(
        name: "get_weather", description: "Current weather for a city",
        parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])

    static let requests: [ModelRequest] = [
        ModelRequest(model: "m", messages: []),
        ModelRequest(model: "m", messages: [.user("Hi")]),
        ModelRequest(
            model: "gpt-4o-mini", messages: transcript, tools: [weatherTool], toolChoice: .function("get_weather"),
            parallelToolCalls: false,
            options: GenerationOptions(
                temperature: 0.2, topP: 0.9, maxTokens: 256, stop: ["END"], choices: 1, seed: 42,
                responseFormat: ["type": "json_object"], extra: ["top_k": 40, "model": "override", "stream": false])),
        ModelRequest(model: "m", messages: transcript, options: GenerationOptions(extra: ["messages": []])),
        ModelRequest(model: "m", messages: transcript, options: GenerationOptions(extra: ["messages": .null])),
    ]

    static let fieldSets: [JSONObject] = [
        JSONObject(), ["provider_api_key": "sk-provider"], ["messages": "by hand", "model": "from settings"],
    ]

    /// What the tree gives: the body, the fields set on it, serialised.
    func reference(_ request: ModelRequest, stream: Bool, fields: JSONObject) -> String {
        var body = OpenAIRequestEncoder.body(for: request, stream: stream).objectValue ?? JSONObject()
        for (key, value) in fields.members { body[key] = value }
        return JSONValue.object(body).serialized()
    }

    @Test(arguments: requests.indices, fieldSets.indices)
    func cachedTextMatchesTheTree(requestIndex: Int, fieldsIndex: Int) {
        let request = Self.requests[requestIndex]
        let fields = Self.fieldSets[fieldsIndex]
        for stream in [false, true] {
            let expected = reference(request, stream: stream, fields: fields)
            // Once to fill the caches, once from them.
            #expect(OpenAIRequestEncoder.text(for: request, stream: stream, fields: fields) == expected)
            #expect(OpenAIRequestEncoder.text(for: request, stream: stream, fields: fields) == expected)
        }
    }

    @Test func aChangedMessageIsEncodedAgain() {
        var request = ModelRequest(model: "m", messages: Self.transcript)
        _ = OpenAIRequestEncoder.text(for: request, stream: false)
        let before = request
        request.messages[1].content = [.text("changed")]
        request.messages[4].toolCalls[0].arguments = #"{"city":"Omsk"}"#
        request.messages[5].toolCallID = "call_c3"
        request.messages[0].role = .user
        let text = OpenAIRequestEncoder.text(for: request, stream: false)
        #expect(text == reference(request, stream: false, fields: JSONObject()))
        #expect(text.contains(#""content":"changed""#))
        #expect(text.contains(#"Omsk"#))
        #expect(text.contains(#""tool_call_id":"call_c3""#))
        // The copy taken before the change keeps its own bytes.
        #expect(OpenAIRequestEncoder.text(for: before, stream: false) == reference(before, stream: false, fields: [:]))
        #expect(before != request)
    }

    @Test func equalityAndHashIgnoreTheCache() {
        let message = ChatMessage.user("Hi")
        var encoded = message
        _ = OpenAIRequestEncoder.messagesText([encoded])
        encoded.reasoning = nil
        #expect(message == encoded)
        #expect(message.hashValue == encoded.hashValue)
        #expect(Set([message, encoded]).count == 1)
    }

    @Test func turnAfterTurnTheWireCarriesTheTreesBytes() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(
                    name: "fake", kind: "dewiar", baseURL: server.baseURL,
                    settings: ["provider_api_key": "sk-provider"]))
            var request = ModelRequest(model: "openai/gpt-4o", messages: [.user("Hi")], tools: [Self.weatherTool])
            var expected: [String] = []
            for turn in 0..<3 {
                server.enqueue(.json(textReply("turn \(turn)")))
                let reply = try await provider.complete(request)
                expected.append(reference(request, stream: false, fields: provider.fields))
                request.messages.append(reply.message)
                request.messages.append(.user("and again \(turn)"))
            }
            #expect(server.requests.map(\.body) == expected)
        }
    }
}
