import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// An Anthropic adapter pointed at `server` (through ``AnthropicFake``, which checks the key), with retries that
/// record instead of sleeping.
func makeAnthropic(
    _ server: FakeVendorServer, recorder: SleepRecorder = SleepRecorder(), maxRetries: Int = 2,
    settings: JSONObject = JSONObject()
) -> AnthropicProvider {
    AnthropicFake.install(on: server, key: secretKey)
    return AnthropicProvider(
        configuration: ProviderConfiguration(
            name: "claude", kind: "anthropic", baseURL: AnthropicFake.baseURL(of: server), apiKey: secretKey,
            settings: settings),
        retry: RetryPolicy(maxRetries: maxRetries, sleep: { duration in await recorder.record(duration) }))
}

/// The tool the Anthropic and Ollama tests offer.
let weatherToolForVendors = ToolDefinition(
    name: "get_weather", description: "Current weather for a city",
    parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])

/// Two parallel calls of the weather tool, as a fake model makes them.
let parallelWeatherCalls = FakeReply.calls(
    .init("get_weather", #"{"city":"Kazan"}"#), .init("get_weather", #"{"city":"Perm"}"#), inputTokens: 61,
    outputTokens: 38)
