import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// An Ollama adapter pointed at `server` (through ``OllamaFake``; `key` makes both sides use one), with retries
/// that record instead of sleeping.
func makeOllama(
    _ server: FakeVendorServer, recorder: SleepRecorder = SleepRecorder(), maxRetries: Int = 2, key: String? = nil,
    settings: JSONObject = JSONObject()
) -> OllamaProvider {
    if let key { OllamaFake.install(on: server, key: key) }
    return OllamaProvider(
        configuration: ProviderConfiguration(
            name: "local", kind: "ollama", baseURL: OllamaFake.baseURL(of: server), apiKey: key, settings: settings),
        retry: RetryPolicy(maxRetries: maxRetries, sleep: { duration in await recorder.record(duration) }))
}

extension ModelResponse {
    /// The reply with every tool-call id replaced by its position, for comparing replies whose ids were
    /// synthesised separately.
    var withPositionalCallIDs: ModelResponse {
        var copy = self
        copy.message.toolCalls = message.toolCalls.enumerated().map { index, call in
            ToolCall(id: "#\(index)", name: call.name, arguments: call.arguments)
        }
        return copy
    }
}
