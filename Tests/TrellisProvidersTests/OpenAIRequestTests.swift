import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// What the adapter writes on the wire for a Chat Completions request.
@Suite struct OpenAIRequestTests {
    let weatherTool = ToolDefinition(
        name: "get_weather", description: "Current weather for a city",
        parameters: [
            "type": "object", "properties": ["city": ["type": "string"]], "required": ["city"],
        ])

    /// Sends `request` with `complete` and returns what the server received.
    func send(_ request: ModelRequest) async throws -> RecordedRequest {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(textReply("ok")))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            _ = try await provider.complete(request)
            #expect(server.requests.count == 1)
            return try #require(server.requests.first)
        }
    }

    @Test func postsToChatCompletionsWithBearerKeyAndJSON() async throws {
        let sent = try await send(ModelRequest(model: "gpt-4o-mini", messages: [.user("Hi")]))
        #expect(sent.method == "POST")
        #expect(sent.path == "/v1/chat/completions")
        #expect(sent.header("Authorization") == "Bearer sk-secret-123")
        #expect(sent.header("Content-Type") == "application/json")
        let body = try #require(sent.json)
        #expect(body["model"] == "gpt-4o-mini")
        #expect(body["messages"] == [["role": "user", "content": "Hi"]])
        #expect(body["stream"] == nil)
        #expect(body["stream_options"] == nil)
        #expect(body["tools"] == nil)
        #expect(body["tool_choice"] == nil)
    }

    @Test func baseURLWithTrailingSlashStillHitsTheEndpoint() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(textReply("ok")))
            let provider = makeProvider(baseURL: server.baseURL + "/", recorder: SleepRecorder())
            _ = try await provider.complete(ModelRequest(model: "m", messages: [.user("Hi")]))
            #expect(server.requests.map(\.path) == ["/v1/chat/completions"])
        }
    }

    @Test func transcriptRolesToolCallsAndToolResults() async throws {
        let calls = [
            ToolCall(id: "call_a1", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
            ToolCall(id: "call_b2", name: "get_weather", arguments: #"{"city":"Perm"}"#),
        ]
        let request = ModelRequest(
            model: "gpt-4o-mini",
            messages: [
                .system("You are terse."),
                .user("Weather in Kazan and Perm?"),
                .assistant("", toolCalls: calls),
                .tool(callID: "call_a1", name: "get_weather", content: #"{"temp_c":-3}"#),
                .tool(callID: "call_b2", name: "get_weather", content: #"{"temp_c":-5}"#),
                .assistant("Let me check once more.", toolCalls: [calls[0]]),
                .tool(callID: "call_a1", name: "get_weather", content: "still -3"),
                .assistant("Kazan -3, Perm -5."),
            ])
        let sent = try await send(request)
        let messages = try #require(sent.json?["messages"])
        #expect(messages.arrayValue?.count == 8)
        #expect(messages.element(0) == ["role": "system", "content": "You are terse."])
        #expect(messages.element(1) == ["role": "user", "content": "Weather in Kazan and Perm?"])
        #expect(
            messages.element(2)
                == [
                    "role": "assistant", "content": "",
                    "tool_calls": [
                        [
                            "id": "call_a1", "type": "function",
                            "function": ["name": "get_weather", "arguments": #"{"city":"Kazan"}"#],
                        ],
                        [
                            "id": "call_b2", "type": "function",
                            "function": ["name": "get_weather", "arguments": #"{"city":"Perm"}"#],
                        ],
                    ],
                ])
        #expect(messages.element(3) == ["role": "tool", "tool_call_id": "call_a1", "content": #"{"temp_c":-3}"#])
        #expect(messages.element(4) == ["role": "tool", "tool_call_id": "call_b2", "content": #"{"temp_c":-5}"#])
        // Text next to calls is sent as text.
        #expect(messages.element(5)?["content"] == "Let me check once more.")
        #expect(messages.element(5)?["tool_calls"]?.arrayValue?.count == 1)
        // A plain answer has string content and no tool_calls key at all.
        #expect(messages.element(7) == ["role": "assistant", "content": "Kazan -3, Perm -5."])
        // Calls without text carry "" (llama-cpp-python's server answers 500 to null, and its template needs
        // the key), which OpenAI accepts too.
        #expect(sent.body.contains(#""role":"assistant","content":"","tool_calls":["#))
    }

    @Test func reasoningIsNeverSentBack() async throws {
        let assistant = ChatMessage.assistant("The answer is 4.", reasoning: "2+2, carry nothing: 4")
        let sent = try await send(
            ModelRequest(model: "deepseek-reasoner", messages: [.user("2+2?"), assistant, .user("And 3+3?")]))
        #expect(!sent.body.contains("carry nothing"))
        #expect(!sent.body.contains("reasoning"))
        #expect(sent.json?["messages"]?.element(1) == ["role": "assistant", "content": "The answer is 4."])
    }

    @Test func toolsAreFunctionsWithParametersAndParallelCallsCanBeDisabled() async throws {
        let sent = try await send(
            ModelRequest(
                model: "m", messages: [.user("Weather?")], tools: [weatherTool], toolChoice: .auto,
                parallelToolCalls: false))
        let body = try #require(sent.json)
        #expect(
            body["tools"]
                == [
                    [
                        "type": "function",
                        "function": [
                            "name": "get_weather", "description": "Current weather for a city",
                            "parameters": [
                                "type": "object", "properties": ["city": ["type": "string"]], "required": ["city"],
                            ],
                        ],
                    ]
                ])
        #expect(body["tool_choice"] == "auto")
        #expect(body["parallel_tool_calls"] == false)
        #expect(sent.body.contains(#""parallel_tool_calls":false"#))
    }

    static let choices: [(ToolChoice, JSONValue)] = [
        (.auto, "auto"),
        (.none, "none"),
        (.required, "required"),
        (.function("get_weather"), ["type": "function", "function": ["name": "get_weather"]]),
    ]

    @Test(arguments: choices)
    func toolChoiceOnTheWire(choice: ToolChoice, expected: JSONValue) async throws {
        let sent = try await send(
            ModelRequest(model: "m", messages: [.user("Weather?")], tools: [weatherTool], toolChoice: choice))
        #expect(sent.json?["tool_choice"] == expected)
        #expect(sent.json?["parallel_tool_calls"] == nil)
    }

    @Test func generationOptionsAndExtraFields() async throws {
        var extra = JSONObject()
        extra["top_k"] = 40
        extra["repetition_penalty"] = 1.1
        extra["chat_template_kwargs"] = ["enable_thinking": false]
        let options = GenerationOptions(
            temperature: 0.2, topP: 0.9, maxTokens: 256, stop: ["END", "\n\n"], choices: 2, seed: 42,
            responseFormat: ["type": "json_object"], extra: extra)
        let sent = try await send(ModelRequest(model: "m", messages: [.user("Hi")], options: options))
        let body = try #require(sent.json)
        #expect(body["temperature"]?.doubleValue == 0.2)
        #expect(body["top_p"]?.doubleValue == 0.9)
        #expect(body["max_tokens"] == 256)
        #expect(body["stop"] == ["END", "\n\n"])
        #expect(body["n"] == 2)
        #expect(body["seed"] == 42)
        #expect(body["response_format"] == ["type": "json_object"])
        #expect(body["top_k"] == 40)
        #expect(body["repetition_penalty"]?.doubleValue == 1.1)
        #expect(body["chat_template_kwargs"] == ["enable_thinking": false])
        #expect(sent.body.contains(#""temperature":0.2"#))
        #expect(sent.body.contains(#""max_tokens":256"#))
    }

    @Test func unsetOptionsAreLeftOut() async throws {
        let sent = try await send(ModelRequest(model: "m", messages: [.user("Hi")]))
        let keys = try #require(sent.json?.objectValue?.keys)
        #expect(Set(keys) == ["model", "messages"])
    }

    @Test func userImagePartBecomesContentArray() async throws {
        let sent = try await send(
            ModelRequest(
                model: "llama-3.2-11b-vision",
                messages: [
                    .user([
                        .text("What is in this picture?"),
                        .image(url: "data:image/png;base64,iVBORw0KGgo=", detail: "low"),
                        .image(url: "https://example.com/cat.jpg"),
                    ])
                ]))
        #expect(
            sent.json?["messages"]?.element(0)
                == [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "What is in this picture?"],
                        [
                            "type": "image_url",
                            "image_url": ["url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"],
                        ],
                        ["type": "image_url", "image_url": ["url": "https://example.com/cat.jpg"]],
                    ],
                ])
    }

    @Test func streamingRequestAsksForUsage() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .eventStream([
                    sse(#"{"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}"#), sseDone,
                ]))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            try await drain(provider.stream(ModelRequest(model: "m", messages: [.user("Hi")])))
            let sent = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(sent.method == "POST")
            #expect(sent.path == "/v1/chat/completions")
            #expect(sent.header("Authorization") == "Bearer sk-secret-123")
            #expect(sent.header("Content-Type") == "application/json")
            #expect(sent.header("Accept") == "text/event-stream")
            #expect(sent.json?["stream"] == true)
            #expect(sent.json?["stream_options"] == ["include_usage": true])
            #expect(sent.json?["messages"] == [["role": "user", "content": "Hi"]])
        }
    }
}
