import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// What the Yandex adapter sends: URIs, bodies and headers, byte for byte.
@Suite struct YandexRequestTests {
    /// Sends `request` and returns what the server received.
    func sent(_ request: ModelRequest, settings: JSONObject = [:], folder: String? = yandexFolder) async throws
        -> RecordedRequest
    {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: folder)
            server.enqueue(YandexFake.reply(.text("ok"), stream: false))
            _ = try await makeYandex(server, folder: folder, settings: settings).complete(request)
            return try #require(server.requests.first)
        }
    }

    @Test func shortNameBecomesURIAndMaxTokensIsAString() async throws {
        let request = ModelRequest(
            model: "yandexgpt-lite", messages: [.system("Отвечай кратко."), .user("Привет!")],
            options: GenerationOptions(temperature: 0.3, topP: 0.5, maxTokens: 2000, stop: ["x"], seed: 1))
        let recorded = try await sent(request)
        #expect(recorded.method == "POST")
        #expect(recorded.path == "/foundationModels/v1/completion")
        #expect(
            recorded.body
                == #"{"modelUri":"gpt://b1gfolder/yandexgpt-lite/latest","completionOptions":{"stream":false,"temperature":0.3,"maxTokens":"2000"},"messages":[{"role":"system","text":"Отвечай кратко."},{"role":"user","text":"Привет!"}]}"#
        )
        #expect(recorded.header("Authorization") == "Api-Key \(secretKey)")
        #expect(recorded.header("x-folder-id") == "b1gfolder")
        #expect(recorded.header("Content-Type") == "application/json")
        #expect(recorded.header("x-data-logging-enabled") == nil)
    }

    @Test func branchesAndFullURIs() async throws {
        let rc = try await sent(ModelRequest(model: "yandexgpt/rc", messages: [.user("Hi")]))
        #expect(rc.json?["modelUri"] == "gpt://b1gfolder/yandexgpt/rc")
        let full = try await sent(ModelRequest(model: "gpt://other/llama/latest", messages: [.user("Hi")]))
        #expect(full.json?["modelUri"] == "gpt://other/llama/latest")
        // A full URI needs no folder setting.
        let bare = try await sent(ModelRequest(model: "gpt://other/llama/latest", messages: [.user("Hi")]), folder: nil)
        #expect(bare.header("x-folder-id") == nil)
    }

    @Test func iamTokenAndDataLoggingHeaders() async throws {
        let recorded = try await sent(
            ModelRequest(model: "yandexgpt", messages: [.user("Hi")]), settings: ["auth": "iam", "data_logging": false])
        #expect(recorded.header("Authorization") == "Bearer \(secretKey)")
        #expect(recorded.header("x-data-logging-enabled") == "false")
    }

    @Test func unknownAuthSettingIsASetupError() async throws {
        try await FakeVendorServer.withServer { server in
            let error = try #require(throws: ProviderFactory.SetupError.self) {
                try makeYandex(server, settings: ["auth": "oauth"])
            }
            #expect(error.message.contains("'yc'"))
            #expect(error.message.contains("api_key or iam"))
        }
    }

    @Test func toolCallsAndResultsRoundTripInCallOrder() async throws {
        let weather = ToolDefinition(
            name: "get_weather", description: "Погода в городе",
            parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
        let request = ModelRequest(
            model: "yandexgpt",
            messages: [
                .user("Погода в Казани и Перми?"),
                .assistant(
                    "",
                    toolCalls: [
                        ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Казань"}"#),
                        ToolCall(id: "call_b", name: "get_weather", arguments: #"{"city":"Пермь"}"#),
                    ]),
                // Results arrive out of order; Yandex matches them by name, so order is all it has.
                .tool(callID: "call_b", name: "get_weather", content: #"{"temp_c":-5}"#),
                .tool(callID: "call_a", name: "get_weather", content: #"{"temp_c":-3}"#),
                .assistant("В Казани −3, в Перми −5."),
                .user("Спасибо"),
            ],
            tools: [weather], toolChoice: .auto, parallelToolCalls: true)
        let recorded = try await sent(request)
        let messages = try #require(recorded.json?["messages"]?.arrayValue)
        #expect(messages.count == 5)
        #expect(
            messages[1].serialized()
                == #"{"role":"assistant","toolCallList":{"toolCalls":[{"functionCall":{"name":"get_weather","arguments":{"city":"Казань"}}},{"functionCall":{"name":"get_weather","arguments":{"city":"Пермь"}}}]}}"#
        )
        #expect(
            messages[2].serialized()
                == #"{"role":"assistant","toolResultList":{"toolResults":[{"functionResult":{"name":"get_weather","content":"{\"temp_c\":-3}"}},{"functionResult":{"name":"get_weather","content":"{\"temp_c\":-5}"}}]}}"#
        )
        #expect(messages[3].serialized() == #"{"role":"assistant","text":"В Казани −3, в Перми −5."}"#)
        #expect(
            recorded.json?["tools"]?.serialized()
                == #"[{"function":{"name":"get_weather","description":"Погода в городе","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"#
        )
        #expect(recorded.json?["toolChoice"]?.serialized() == #"{"mode":"AUTO"}"#)
        #expect(recorded.json?["parallelToolCalls"] == true)
    }

    @Test func toolChoicesAndResponseFormats() {
        #expect(YandexRequestEncoder.toolChoice(.none).serialized() == #"{"mode":"NONE"}"#)
        #expect(YandexRequestEncoder.toolChoice(.required).serialized() == #"{"mode":"REQUIRED"}"#)
        #expect(YandexRequestEncoder.toolChoice(.function("clock")).serialized() == #"{"functionName":"clock"}"#)
        #expect(
            JSONValue.object(YandexRequestEncoder.responseFormat(["type": "json_object"])).serialized()
                == #"{"jsonObject":true}"#)
        let schema: JSONValue = [
            "type": "json_schema", "json_schema": ["name": "city", "schema": ["type": "object"]],
        ]
        #expect(
            JSONValue.object(YandexRequestEncoder.responseFormat(schema)).serialized()
                == #"{"jsonSchema":{"schema":{"type":"object"}}}"#)
        #expect(YandexRequestEncoder.responseFormat(["type": "text"]).isEmpty)
    }

    @Test func missingFolderIsAClearErrorAndNothingIsSent() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = try makeYandex(server, folder: nil)
            let request = ModelRequest(model: "yandexgpt-lite", messages: [.user("Hi")])
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(request)
            }
            #expect(error.description.contains("provider 'yc'"))
            #expect(error.message.contains("folder_id"))
            #expect(error.message.contains("YANDEX_FOLDER_ID"))
            #expect(error.message.contains("gpt://<folder>/yandexgpt-lite/latest"))
            await #expect(throws: ProviderError.self) { try await drain(provider.stream(request)) }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func imagesAreRefusedBeforeSending() async throws {
        try await FakeVendorServer.withServer { server in
            let provider = try makeYandex(server)
            let request = ModelRequest(
                model: "yandexgpt", messages: [.user([.text("Что тут?"), .image(url: "https://example.com/a.png")])])
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(request)
            }
            #expect(error.description.contains("provider 'yc': cannot send images"))
            #expect(error.shortDescription == "provider_unsupported_request")
            #expect(server.requests.isEmpty)
        }
    }
}
