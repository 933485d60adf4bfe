import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// The key every test provider sends; it must never appear in an error description.
let secretKey = "sk-secret-123"

/// Records the waits a ``RetryPolicy`` asks for instead of sleeping.
actor SleepRecorder {
    private(set) var sleeps: [Duration] = []

    func record(_ duration: Duration) { sleeps.append(duration) }
}

/// The adapter under test, pointed at `baseURL`, with retries that record instead of sleeping.
func makeProvider(baseURL: String, recorder: SleepRecorder, maxRetries: Int = 2) -> OpenAICompatibleProvider {
    OpenAICompatibleProvider(
        configuration: ProviderConfiguration(name: "fake", kind: "openai", baseURL: baseURL, apiKey: secretKey),
        retry: RetryPolicy(maxRetries: maxRetries, sleep: { duration in await recorder.record(duration) }))
}

/// One `data:` event as OpenAI writes it.
func sse(_ json: String) -> String { "data: \(json)\n\n" }

/// The terminator of an OpenAI stream.
let sseDone = "data: [DONE]\n\n"

/// A minimal non-streamed reply with plain text.
func textReply(_ text: String, finish: String = "stop") -> String {
    #"{"id":"chatcmpl-1","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"\#(text)"},"finish_reason":"\#(finish)"}]}"#
}

/// Iterates a stream to its end, keeping every event it produced even if it then throws.
final class EventLog: @unchecked Sendable {
    var events: [ModelEvent] = []
}

@discardableResult
func drain(_ stream: AsyncThrowingStream<ModelEvent, any Error>, into log: EventLog = EventLog()) async throws
    -> [ModelEvent]
{
    for try await event in stream { log.events.append(event) }
    return log.events
}

extension [ModelEvent] {
    /// The assembled reply of the final `.completed` event.
    var completed: ModelResponse? {
        guard case .completed(let response)? = last else { return nil }
        return response
    }

    var textDeltas: [String] {
        compactMap { if case .textDelta(let text) = $0 { return text } else { return nil } }
    }

    var reasoningDeltas: [String] {
        compactMap { if case .reasoningDelta(let text) = $0 { return text } else { return nil } }
    }

    var completedCount: Int {
        filter { if case .completed = $0 { return true } else { return false } }.count
    }
}

extension JSONValue {
    /// The element at `index`, if this is an array long enough.
    func element(_ index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
