import Testing
import TrellisCore
import TrellisTesting

/// A server that echoes the API key in its error never gets it printed, not even in part, when the echo straddles
/// the place where Trellis cuts the vendor's text to an excerpt.
@Suite(.serialized) struct KeyEchoTests {
    static let key = "sk-Zq7RxW2mKd9LpV4tYb8NcF3h"

    /// Whether `text` shows any 5 consecutive characters of the key.
    static func leaks(_ text: String) -> Bool {
        let characters = Array(key)
        return (0...(characters.count - 5)).contains { text.contains(String(characters[$0..<($0 + 5)])) }
    }

    /// Text whose key straddles `limit` with all but its last 2 characters before it: an excerpt cut at `limit`
    /// before redaction keeps almost all of the key, which no search for the whole key then finds.
    static func echo(cutAt limit: Int) -> String {
        String(repeating: "x", count: limit - (key.count - 2)) + key + " is not a valid key"
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var stream: Bool
        var response: FakeResponse
        var code: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "HTTP error message", stream: false,
            response: .json(
                #"{"error":{"message":"\#(echo(cutAt: 300))","code":"invalid_api_key"}}"#, status: 401),
            code: "provider_http_error"),
        Case(
            name: "malformed reply body", stream: false, response: .text(echo(cutAt: 200), status: 200),
            code: "provider_malformed_response"),
        Case(
            name: "stream error event", stream: true,
            response: .eventStream([
                #"data: {"error":{"message":"\#(echo(cutAt: 300 - "error in stream: ".count))"}}"# + "\n\n"
            ]),
            code: "provider_stream_error"),
    ]

    @Test("trellis run --json shows no piece of an echoed key", arguments: cases)
    func echoedKey(_ scenario: Case) async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(scenario.response)
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": RunCommandTests.agent,
                "trellis.yaml": RunCommandTests.workspace(server.baseURL, key: Self.key),
            ])
            let outcome = try await cli.run(
                ["run", "calc", "hi", "--json"] + (scenario.stream ? ["--stream"] : []))

            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["error"]?["code"] == .string(scenario.code), "\(outcome.stdout)")
            let message = json["error"]?["message"]?.stringValue ?? ""
            #expect(message.contains("[redacted]"), "\(message)")
            #expect(!Self.leaks(outcome.stdout), "\(outcome.stdout)")
            #expect(!Self.leaks(outcome.stderr), "\(outcome.stderr)")
        }
    }
}
