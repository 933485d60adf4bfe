import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// What the Ollama adapter writes on the wire.
@Suite struct OllamaRequestTests {
    /// Sends `request` with `complete` and returns what the server received.
    func send(_ request: ModelRequest, key: String? = nil, settings: JSONObject = JSONObject()) async throws
        -> RecordedRequest
    {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server, key: key, settings: settings)
            server.enqueue(OllamaFake.reply(.text("ok"), stream: false))
            _ = try await provider.complete(request)
            #expect(server.requests.count == 1)
            return try #require(server.requests.first)
        }
    }

    @Test func postsToApiChatWithStreamFalseAndNoAuthorization() async throws {
        let sent = try await send(ModelRequest(model: "llama3.2", messages: [.user("Hi")]))
        #expect(sent.method == "POST")
        #expect(sent.path == "/api/chat")
        #expect(sent.header("Authorization") == nil)
        #expect(sent.header("Content-Type") == "application/json")
        #expect(sent.body == #"{"model":"llama3.2","messages":[{"role":"user","content":"Hi"}],"stream":false}"#)
    }

    @Test func keySentAsBearerWhenSet() async throws {
        let sent = try await send(ModelRequest(model: "llama3.2", messages: [.user("Hi")]), key: secretKey)
        #expect(sent.header("Authorization") == "Bearer \(secretKey)")
    }

    @Test func optionsFormatSettingsToolsAndStream() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server, settings: ["keep_alive": "-1", "num_ctx": 8192])
            server.enqueue(OllamaFake.reply(.text("ok"), stream: true))
            let request = ModelRequest(
                model: "llama3.2", messages: [.system("Be terse."), .user("Weather?")], tools: [weatherToolForVendors],
                toolChoice: .required, parallelToolCalls: false,
                options: GenerationOptions(
                    temperature: 0.5, topP: 0.9, maxTokens: 256, stop: ["END"], choices: 2, seed: 7,
                    responseFormat: ["type": "json_object"], extra: ["think": false]))
            _ = try await drain(provider.stream(request))
            let sent = try #require(server.requests.first)
            #expect(sent.header("Accept") == "application/x-ndjson")
            #expect(
                sent.body
                    == #"{"model":"llama3.2","messages":[{"role":"system","content":"Be terse."},{"role":"user","#
                    + #""content":"Weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","#
                    + #""description":"Current weather for a city","parameters":{"type":"object","properties":"#
                    + #"{"city":{"type":"string"}},"required":["city"]}}}],"stream":true,"format":"json","#
                    + #""options":{"temperature":0.5,"top_p":0.9,"num_predict":256,"stop":["END"],"seed":7,"#
                    + #""num_ctx":8192},"keep_alive":-1,"think":false}"#)
        }
    }

    @Test func formatFromResponseFormat() {
        let schema: JSONValue = ["type": "object", "properties": ["city": ["type": "string"]]]
        #expect(OllamaRequestEncoder.format(["type": "json_object"]) == "json")
        #expect(
            OllamaRequestEncoder.format(["type": "json_schema", "json_schema": ["name": "w", "schema": schema]])
                == schema)
        #expect(OllamaRequestEncoder.format(["type": "text"]) == nil)
        #expect(OllamaRequestEncoder.format("json") == "json")
        #expect(OllamaRequestEncoder.format(schema) == schema)
        #expect(OllamaRequestEncoder.keepAlive("5m") == "5m")
        #expect(OllamaRequestEncoder.keepAlive("0") == 0)
        #expect(OllamaRequestEncoder.keepAlive(3600) == 3600)
    }

    @Test func toolCallsAsObjectsAndResultsWithToolName() async throws {
        let calls = [
            ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
            ToolCall(id: "call_2", name: "get_weather", arguments: "not json"),
        ]
        let sent = try await send(
            ModelRequest(
                model: "llama3.2",
                messages: [
                    .user("Weather?"), .assistant("", toolCalls: calls, reasoning: "never sent back"),
                    .tool(callID: "call_1", name: "get_weather", content: #"{"temp_c":-3}"#),
                    .tool(callID: "call_2", name: "get_weather", content: "error: invalid arguments"),
                ]))
        let body = try #require(sent.json)
        #expect(
            body["messages"] == [
                ["role": "user", "content": "Weather?"],
                [
                    "role": "assistant", "content": "",
                    "tool_calls": [
                        ["function": ["name": "get_weather", "arguments": ["city": "Kazan"]]],
                        ["function": ["name": "get_weather", "arguments": ["_raw": "not json"]]],
                    ],
                ],
                ["role": "tool", "content": #"{"temp_c":-3}"#, "tool_name": "get_weather"],
                ["role": "tool", "content": "error: invalid arguments", "tool_name": "get_weather"],
            ])
        #expect(!sent.body.contains("never sent back"))
    }

    @Test func imagesAsBase64() throws {
        let message = ChatMessage.user([.text("What is this?"), .image(url: "data:image/png;base64,iVBORw0KGgo=")])
        #expect(
            try OllamaRequestEncoder.message(message, provider: "local")
                == ["role": "user", "content": "What is this?", "images": ["iVBORw0KGgo="]])
    }

    @Test func imageByURLIsRefusedBeforeSending() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeOllama(server)
            let request = ModelRequest(
                model: "llava", messages: [.user([.text("What?"), .image(url: "https://example.com/cat.jpg")])])
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(request)
            }
            #expect(
                error.description
                    == "provider 'local': Ollama takes images only as base64 data: URIs; cannot send https://example.com/cat.jpg"
            )
            await #expect(throws: ProviderError.self) { try await drain(provider.stream(request)) }
            #expect(server.requests.isEmpty)
        }
    }

    @Test(arguments: [
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("127.0.0.1:11434", "http://127.0.0.1:11434"),
        ("gpu-box", "http://gpu-box:11434"),
        (":8080", "http://127.0.0.1:8080"),
        ("", "http://127.0.0.1:11434"),
        ("[::1]", "http://[::1]:11434"),
        ("https://ollama.com/", "https://ollama.com"),
        ("http://proxy:9000/ollama/api/", "http://proxy:9000/ollama"),
    ])
    func baseURLAcceptsOllamaHostForms(base: String, root: String) {
        #expect(OllamaProvider.apiRoot(base) == root)
    }
}
