import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// What the Anthropic adapter writes on the wire.
@Suite struct AnthropicRequestTests {
    /// Sends `request` with `complete` and returns what the server received.
    func send(_ request: ModelRequest, settings: JSONObject = JSONObject()) async throws -> RecordedRequest {
        try await FakeVendorServer.withServer { server in
            let provider = makeAnthropic(server, settings: settings)
            server.enqueue(AnthropicFake.reply(.text("ok"), stream: false))
            _ = try await provider.complete(request)
            #expect(server.requests.count == 1)
            return try #require(server.requests.first)
        }
    }

    @Test func postsToMessagesWithKeyVersionAndRequiredMaxTokens() async throws {
        let sent = try await send(ModelRequest(model: "claude-sonnet-4-5", messages: [.user("Hi")]))
        #expect(sent.method == "POST")
        #expect(sent.path == "/v1/messages")
        #expect(sent.header("x-api-key") == secretKey)
        #expect(sent.header("anthropic-version") == "2023-06-01")
        #expect(sent.header("Content-Type") == "application/json")
        #expect(sent.header("Authorization") == nil)
        #expect(
            sent.body == #"{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":"Hi"}]}"#
        )
    }

    @Test func versionSettingReplacesTheDefault() async throws {
        let sent = try await send(
            ModelRequest(model: "m", messages: [.user("Hi")]), settings: ["version": "2024-10-22"])
        #expect(sent.header("anthropic-version") == "2024-10-22")
    }

    @Test func optionsSystemToolsAndStream() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = makeAnthropic(server)
            server.enqueue(AnthropicFake.reply(.text("ok"), stream: true))
            let request = ModelRequest(
                model: "claude-sonnet-4-5",
                messages: [.system("Be terse."), .user("Weather in Kazan?"), .system("Use metric units.")],
                tools: [weatherToolForVendors], toolChoice: .function("get_weather"), parallelToolCalls: false,
                options: GenerationOptions(
                    temperature: 0.5, topP: 0.9, maxTokens: 256, stop: ["END"], choices: 2, seed: 7,
                    responseFormat: ["type": "json_object"], extra: ["metadata": ["user_id": "u1"]]))
            _ = try await drain(provider.stream(request))
            let sent = try #require(server.requests.first)
            #expect(sent.header("Accept") == "text/event-stream")
            #expect(
                sent.body
                    == #"{"model":"claude-sonnet-4-5","max_tokens":256,"system":"Be terse.\n\nUse metric units.","#
                    + #""messages":[{"role":"user","content":"Weather in Kazan?"}],"tools":[{"name":"get_weather","#
                    + #""description":"Current weather for a city","input_schema":{"type":"object","properties":"#
                    + #"{"city":{"type":"string"}},"required":["city"]}}],"tool_choice":{"type":"tool","#
                    + #""name":"get_weather","disable_parallel_tool_use":true},"temperature":0.5,"top_p":0.9,"#
                    + #""stop_sequences":["END"],"stream":true,"metadata":{"user_id":"u1"}}"#)
        }
    }

    @Test func toolChoiceMapping() {
        #expect(AnthropicRequestEncoder.toolChoice(.auto, parallel: nil) == ["type": "auto"])
        #expect(AnthropicRequestEncoder.toolChoice(ToolChoice.none, parallel: nil) == ["type": "none"])
        #expect(AnthropicRequestEncoder.toolChoice(.required, parallel: nil) == ["type": "any"])
        #expect(AnthropicRequestEncoder.toolChoice(.function("f"), parallel: true) == ["type": "tool", "name": "f"])
        #expect(AnthropicRequestEncoder.toolChoice(nil, parallel: nil) == nil)
        #expect(
            AnthropicRequestEncoder.toolChoice(nil, parallel: false)
                == ["type": "auto", "disable_parallel_tool_use": true])
        #expect(AnthropicRequestEncoder.toolChoice(.required, parallel: false)?["disable_parallel_tool_use"] == true)
        #expect(AnthropicRequestEncoder.toolChoice(ToolChoice.none, parallel: false) == ["type": "none"])
    }

    @Test func toolCallsAndResultsBecomeBlocksInMergedTurns() async throws {
        let calls = [
            ToolCall(id: "toolu_01A", name: "get_weather", arguments: #"{"city":"Kazan"}"#),
            ToolCall(id: "toolu_01B", name: "get_weather", arguments: #"{"city":"Perm"}"#),
        ]
        let sent = try await send(
            ModelRequest(
                model: "m",
                messages: [
                    .user("Weather in Kazan and Perm?"),
                    .assistant("Checking.", toolCalls: calls, reasoning: "never sent back"),
                    .tool(callID: "toolu_01A", name: "get_weather", content: #"{"temp_c":-3}"#),
                    .tool(callID: "toolu_01B", name: "get_weather", content: #"{"temp_c":-7}"#),
                    .user("And in Celsius?"),
                    .assistant("Kazan -3, Perm -7."),
                    .assistant("Anything else?"),
                ], tools: [weatherToolForVendors]))
        let body = try #require(sent.json)
        #expect(
            body["messages"] == [
                ["role": "user", "content": "Weather in Kazan and Perm?"],
                [
                    "role": "assistant",
                    "content": [
                        ["type": "text", "text": "Checking."],
                        ["type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": ["city": "Kazan"]],
                        ["type": "tool_use", "id": "toolu_01B", "name": "get_weather", "input": ["city": "Perm"]],
                    ],
                ],
                [
                    "role": "user",
                    "content": [
                        ["type": "tool_result", "tool_use_id": "toolu_01A", "content": #"{"temp_c":-3}"#],
                        ["type": "tool_result", "tool_use_id": "toolu_01B", "content": #"{"temp_c":-7}"#],
                        ["type": "text", "text": "And in Celsius?"],
                    ],
                ],
                [
                    "role": "assistant",
                    "content": [
                        ["type": "text", "text": "Kazan -3, Perm -7."], ["type": "text", "text": "Anything else?"],
                    ],
                ],
            ])
        #expect(!sent.body.contains("never sent back"))
        #expect(body["system"] == nil)
    }

    @Test func invalidEmptyAndNonObjectArgumentsStillSendAnObject() {
        let message = ChatMessage.assistant(
            "",
            toolCalls: [
                ToolCall(id: "a", name: "f", arguments: #"{"city":"Ka"#),
                ToolCall(id: "b", name: "f", arguments: ""),
                ToolCall(id: "c", name: "f", arguments: "[1,2]"),
            ])
        let inputs = AnthropicRequestEncoder.blocks(message).map { $0["input"] }
        #expect(inputs == [["_raw": #"{"city":"Ka"#], [:], ["_raw": "[1,2]"]])
    }

    @Test func imagesAsBase64OrURL() {
        let message = ChatMessage.user([
            .text("What is this?"), .image(url: "data:image/png;base64,iVBORw0KGgo="),
            .image(url: "https://example.com/cat.jpg", detail: "high"),
        ])
        #expect(
            AnthropicRequestEncoder.blocks(message) == [
                ["type": "text", "text": "What is this?"],
                ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]],
                ["type": "image", "source": ["type": "url", "url": "https://example.com/cat.jpg"]],
            ])
    }

    @Test(arguments: [
        ("https://api.anthropic.com/v1", "https://api.anthropic.com/v1"),
        ("https://api.anthropic.com", "https://api.anthropic.com/v1"),
        ("https://api.anthropic.com/", "https://api.anthropic.com/v1"),
        ("http://127.0.0.1:8080/anthropic/v1/", "http://127.0.0.1:8080/anthropic/v1"),
    ])
    func baseURLWithoutPathGetsV1(base: String, root: String) {
        #expect(AnthropicProvider.apiRoot(base) == root)
    }
}
