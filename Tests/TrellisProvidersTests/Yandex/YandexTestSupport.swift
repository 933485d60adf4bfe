import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// The folder the Yandex tests configure.
let yandexFolder = "b1gfolder"

/// A Yandex adapter pointed at `server`, with retries that record instead of sleeping.
func makeYandex(
    _ server: FakeVendorServer, recorder: SleepRecorder = SleepRecorder(), folder: String? = yandexFolder,
    settings: JSONObject = [:], maxRetries: Int = 2
) throws -> YandexProvider {
    var settings = settings
    if let folder { settings["folder_id"] = .string(folder) }
    return try YandexProvider(
        configuration: ProviderConfiguration(
            name: "yc", kind: "yandex", baseURL: YandexFake.baseURL(of: server), apiKey: secretKey,
            settings: settings),
        retry: RetryPolicy(maxRetries: maxRetries, sleep: { duration in await recorder.record(duration) }))
}

/// One NDJSON line of a Yandex stream, with a newline.
func yandexLine(_ text: String, status: String = "ALTERNATIVE_STATUS_PARTIAL", output: Int = 1) -> String {
    #"{"result":{"alternatives":[{"message":{"role":"assistant","text":"\#(text)"},"status":"\#(status)"}],"usage":{"inputTextTokens":"26","completionTokens":"\#(output)","totalTokens":"\#(26 + output)"},"modelVersion":"07.03.2024"}}"#
        + "\n"
}

extension [ModelEvent] {
    /// The tool-call deltas, as (index, id, name, arguments).
    var yandexToolDeltas: [(Int, String?, String?, String)] {
        compactMap {
            if case .toolCallDelta(let index, let id, let name, let arguments) = $0 {
                return (index, id, name, arguments)
            }
            return nil
        }
    }
}
