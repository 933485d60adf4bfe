import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// What the Amvera adapter sends: routes, the auth header and each route's body shape.
@Suite struct AmveraRequestTests {
    /// Sends `request` and returns what the server received.
    func sent(_ request: ModelRequest, settings: JSONObject = [:]) async throws -> RecordedRequest {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            AmveraFake.serve([.text("ok")], on: server)
            _ = try await makeAmvera(server, settings: settings).complete(request)
            return try #require(server.requests.first)
        }
    }

    @Test func routeFromModelName() {
        #expect(AmveraRoute.serving("llama8b") == .llama)
        #expect(AmveraRoute.serving("llama70b") == .llama)
        #expect(AmveraRoute.serving("gpt-4.1") == .gpt)
        #expect(AmveraRoute.serving("gpt-5") == .gpt)
        #expect(AmveraRoute.serving("deepseek-R1") == .deepseek)
        #expect(AmveraRoute.serving("qwen3_235b") == .qwen)
        #expect(AmveraRoute.serving("mistral-large") == nil)
    }

    @Test func llamaRouteSendsYandexShapeWithTokenHeader() async throws {
        let request = ModelRequest(
            model: "llama70b", messages: [.system("Отвечай кратко."), .user("Привет!")],
            tools: [ToolDefinition(name: "clock", description: "Time")], toolChoice: .auto,
            options: GenerationOptions(temperature: 0.2, maxTokens: 300, responseFormat: ["type": "json_object"]))
        let recorded = try await sent(request)
        #expect(recorded.path == "/api/v1/models/llama")
        #expect(recorded.header("X-Auth-Token") == "Bearer \(secretKey)")
        #expect(recorded.header("Authorization") == nil)
        // Tools are left out: the route does not support them.
        #expect(
            recorded.body
                == #"{"model":"llama70b","messages":[{"role":"system","text":"Отвечай кратко."},{"role":"user","text":"Привет!"}],"completionOptions":{"temperature":0.2,"maxTokens":"300"},"jsonObject":true}"#
        )
    }

    @Test func gptRouteSendsOpenAIShapeWithText() async throws {
        let request = ModelRequest(
            model: "gpt-4.1", messages: [.user("Привет!")],
            tools: [ToolDefinition(name: "clock", description: "Time")], toolChoice: .auto,
            options: GenerationOptions(maxTokens: 512))
        let recorded = try await sent(request)
        #expect(recorded.path == "/api/v1/models/gpt")
        #expect(
            recorded.body
                == #"{"model":"gpt-4.1","messages":[{"role":"user","text":"Привет!"}],"tools":[{"type":"function","function":{"name":"clock","description":"Time","parameters":{"type":"object","properties":{}}}}],"tool_choice":"auto","max_completion_tokens":512}"#
        )
    }

    @Test func deepseekAndQwenRoutes() async throws {
        #expect(
            try await sent(ModelRequest(model: "deepseek-V3", messages: [.user("Hi")])).path
                == "/api/v1/models/deepseek")
        #expect(try await sent(ModelRequest(model: "qwen3_30b", messages: [.user("Hi")])).path == "/api/v1/models/qwen")
    }

    @Test func routeAndWireOverrides() async throws {
        let recorded = try await sent(
            ModelRequest(model: "my-finetune", messages: [.user("Hi")]), settings: ["route": "gpt", "wire": "yandex"])
        #expect(recorded.path == "/api/v1/models/gpt")
        #expect(recorded.body == #"{"model":"my-finetune","messages":[{"role":"user","text":"Hi"}]}"#)
    }

    @Test func tokenIsTrimmed() async throws {
        try await FakeVendorServer.withServer { server in
            AmveraFake.install(on: server, key: secretKey)
            AmveraFake.serve([.text("ok")], on: server)
            _ = try await makeAmvera(server, key: secretKey + "\n").complete(
                ModelRequest(model: "llama8b", messages: [.user("Hi")]))
            #expect(server.requests.first?.header("X-Auth-Token") == "Bearer \(secretKey)")
        }
    }

    @Test func unknownModelAndSettingsAreClearErrors() async throws {
        try await FakeVendorServer.withServer { server in
            let error = try await #require(throws: ProviderError.self) {
                try await makeAmvera(server).complete(ModelRequest(model: "mistral-large", messages: [.user("Hi")]))
            }
            #expect(error.message.contains("'mistral-large'"))
            #expect(error.message.contains("set route"))
            let setting = try #require(throws: ProviderFactory.SetupError.self) {
                try makeAmvera(server, settings: ["route": "claude"])
            }
            #expect(setting.message.contains("route 'claude' is not known; use llama, gpt, deepseek, qwen"))
            #expect(throws: ProviderFactory.SetupError.self) { try makeAmvera(server, settings: ["wire": "grpc"]) }
            #expect(server.requests.isEmpty)
        }
    }
}
