import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// An Amvera adapter pointed at `server`, with retries that record instead of sleeping.
func makeAmvera(
    _ server: FakeVendorServer, recorder: SleepRecorder = SleepRecorder(), settings: JSONObject = [:],
    key: String = secretKey
) throws -> AmveraProvider {
    try AmveraProvider(
        configuration: ProviderConfiguration(
            name: "amv", kind: "amvera", baseURL: AmveraFake.baseURL(of: server), apiKey: key, settings: settings),
        retry: RetryPolicy(maxRetries: 2, sleep: { duration in await recorder.record(duration) }))
}
