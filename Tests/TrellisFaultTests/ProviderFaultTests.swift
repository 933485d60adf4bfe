import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `trellis run --json` against a provider that fails in every way a server can: for each fault the run is retried
/// or ends with a clear error, never crashes, never prints the key, and every request it sends carries a consistent
/// transcript.
// Serialized, and with a provider timeout of 30 s but where the case is about a timeout: the fake server lives in
// the test process, which is busy with the rest of the suite.
@Suite(.serialized) struct ProviderFaultTests {
    /// What a run against one fault must end with.
    enum Outcome: Sendable {
        /// Exit 0 with this output.
        case answers(String)
        /// Exit 0 with output that contains this.
        case answersContaining(String)
        /// Exit 1 (the run failed) with this error code and a message containing every fragment.
        case fails(code: String, saying: [String])
    }

    /// One fault scenario: what the server does to each request in turn, and what the user must see.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var faults: [Fault]
        var stream = false
        /// The provider's `timeout`: short only for the cases about timeouts.
        var timeout = "30s"
        var outcome: Outcome
        /// How many requests the run makes (retries included).
        var requests: Int
        var testDescription: String { name }
    }

    static let answer = "17*23 is 391."
    static let good = Fault.reply(OpenAIFake.body(.text(answer)))
    static let goodStream = Fault.stream(OpenAIFake.chunks(.text(answer)))

    static func error(_ status: Int, headers: [(String, String)] = []) -> Fault {
        .reply(
            #"{"error":{"message":"try again later","type":"server_error","param":null,"code":null}}"#,
            status: status, headers: headers)
    }

    /// A stream that starts well and then sends keep-alive comments, 4 KB each, until the client goes away.
    static let endlessStream: Fault = {
        let start = #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"# + "\n\n"
        return .stream([start], then: [.endless(Array(": \(String(repeating: "x", count: 4096))\n".utf8))])
    }()

    /// A stream that starts well and then sends one line that never ends.
    static let endlessLine: Fault = {
        let start = #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"# + "\n\n"
        return .stream([start], then: [.endless(Array(String(repeating: "x", count: 4096).utf8))])
    }()

    /// A stream that sends its first event (the role, no text) and then nothing, holding the connection.
    static let stalledStream = Fault.stream(Array(OpenAIFake.chunks(.text(answer)).prefix(1)), then: [.hold])

    static let cases: [Case] = [
        Case(
            name: "429 with Retry-After", faults: [error(429, headers: [("Retry-After", "1")]), good],
            outcome: .answers(answer), requests: 2),
        Case(name: "429 without Retry-After", faults: [error(429), good], outcome: .answers(answer), requests: 2),
        Case(name: "one 500, then an answer", faults: [error(500), good], outcome: .answers(answer), requests: 2),
        Case(
            name: "503 on every attempt", faults: [error(503), error(503)],
            outcome: .fails(code: "provider_http_error", saying: ["503", "try again later"]), requests: 2),
        Case(
            name: "a reset mid-body, then an answer", faults: [.resetMidBody(#"{"id":"chatcmpl-1","choi"#), good],
            outcome: .answers(answer), requests: 2),
        Case(
            name: "a hang before the headers", faults: [.hangBeforeHeaders, .hangBeforeHeaders],
            timeout: "2s",
            outcome: .fails(code: "provider_timeout", saying: ["faulty"]), requests: 2),
        Case(
            name: "a stall after the headers", faults: [.stallAfterHeaders(), .stallAfterHeaders()],
            timeout: "2s",
            outcome: .fails(code: "provider_timeout", saying: ["faulty"]), requests: 2),
        Case(
            name: "a stream that stalls after its first event",
            // Retried: nothing had reached the user yet.
            faults: [stalledStream, stalledStream], stream: true,
            timeout: "2s",
            outcome: .fails(code: "provider_timeout", saying: ["faulty"]), requests: 2),
        Case(
            name: "a stream truncated before its end",
            faults: [.stream(Array(OpenAIFake.chunks(.text(answer)).prefix(2)))], stream: true,
            outcome: .fails(code: "provider_truncated_stream", saying: ["faulty"]), requests: 1),
        Case(
            name: "a garbage stream", faults: [.stream(["data: {\"choices\": [{\"delta\": nope\n\n"])], stream: true,
            outcome: .fails(code: "provider_malformed_response", saying: ["faulty"]), requests: 1),
        Case(
            name: "an endless stream of keep-alive comments", faults: [endlessStream], stream: true,
            outcome: .fails(code: "provider_malformed_response", saying: ["faulty", "exceeds 64 MiB"]), requests: 1),
        Case(
            name: "a stream whose one line never ends", faults: [endlessLine], stream: true,
            outcome: .fails(code: "provider_malformed_response", saying: ["faulty", "exceeds 8 MiB"]), requests: 1),
        Case(
            name: "[DONE] with the connection held open",
            faults: [.stream(OpenAIFake.chunks(.text(answer)), then: [.hold])], stream: true,
            outcome: .answers(answer), requests: 1),
        Case(
            name: "an HTML page with status 200",
            faults: [.reply("<html><body><h1>Welcome to nginx!</h1></body></html>", contentType: "text/html")],
            outcome: .fails(code: "provider_malformed_response", saying: ["faulty", "nginx"]), requests: 1),
        Case(
            name: "an HTML error page from a proxy",
            faults: [
                .reply("<html><h1>502 Bad Gateway</h1></html>", status: 502, contentType: "text/html"),
                .reply("<html><h1>502 Bad Gateway</h1></html>", status: 502, contentType: "text/html"),
            ],
            outcome: .fails(code: "provider_http_error", saying: ["502", "Bad Gateway"]), requests: 2),
        Case(
            name: "a 100 MB body",
            faults: [.hugeBody(megabytes: 100)],
            outcome: .fails(code: "provider_malformed_response", saying: ["faulty", "MiB"]), requests: 1),
        Case(
            // JSON must be UTF-8; bytes that are not are read as U+FFFD, as a browser reads them.
            name: "invalid UTF-8 in the reply",
            faults: [
                .reply(
                    bytes: Array(#"{"choices":[{"index":0,"message":{"role":"assistant","content":"a"#.utf8)
                        + [0xFF, 0xFE, 0xC3] + Array(#""},"finish_reason":"stop"}]}"#.utf8))
            ], outcome: .answersContaining("a\u{FFFD}"), requests: 1),
        Case(
            name: "JSON nested 10,000 levels",
            faults: [.reply(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))],
            outcome: .fails(code: "provider_malformed_response", saying: ["faulty"]), requests: 1),
        Case(
            name: "a stream event nested 10,000 levels",
            faults: [
                .stream([
                    "data: " + String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
                        + "\n\n"
                ])
            ], stream: true, outcome: .fails(code: "provider_malformed_response", saying: ["faulty"]), requests: 1),
    ]

    @Test("a provider fault is retried or ends in a clear error", arguments: cases)
    func fault(_ scenario: Case) async throws {
        let workspace = try FaultWorkspace(timeout: scenario.timeout)
        defer { workspace.folder.remove() }
        try await FaultServer.withServer { server in
            server.enqueue(scenario.faults)
            let run = try await workspace.run(baseURL: server.baseURL, stream: scenario.stream)
            run.expectSurvived(scenario.name)
            switch scenario.outcome {
            case .answers(let output):
                #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
                #expect(run.json?["output"]?.stringValue == output)
            case .answersContaining(let fragment):
                #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
                #expect(run.json?["output"]?.stringValue?.contains(fragment) == true, "\(run.outcome.stdout)")
            case .fails(let code, let fragments):
                #expect(run.outcome.status == 1)
                #expect(run.errorCode == code, "\(run.errorMessage)")
                for fragment in fragments {
                    #expect(run.errorMessage.contains(fragment), "'\(fragment)' not in: \(run.errorMessage)")
                }
                #expect(run.outcome.stderr.contains("error: "), "stderr: \(run.outcome.stderr)")
            }
            #expect(server.requests.count == scenario.requests, "requests: \(server.requests.count)")
            for request in server.requests { expectConsistentTranscript(request) }
        }
    }

    @Test("a refused connection is retried, then a clear error naming the provider and its URL")
    func refusedConnection() async throws {
        let workspace = try FaultWorkspace()
        defer { workspace.folder.remove() }
        // A port that was just listening and is now closed refuses connections.
        let closedPort = try await FaultServer.withServer { $0.port }
        let run = try await workspace.run(baseURL: "http://127.0.0.1:\(closedPort)/v1")
        run.expectSurvived("refused")
        #expect(run.outcome.status == 1)
        #expect(run.errorCode == "provider_unreachable", "\(run.errorMessage)")
        #expect(run.errorMessage.contains("127.0.0.1:\(closedPort)"), "\(run.errorMessage)")
    }

    @Test("500 tool calls in one reply each get exactly one result, and the run goes on")
    func fiveHundredToolCalls() async throws {
        let workspace = try FaultWorkspace()
        defer { workspace.folder.remove() }
        let calls = (1...500).map { FakeReply.Call("calculator", #"{"expression":"\#($0)*2"}"#) }
        let manyCalls = FakeReply(text: "", calls: calls, inputTokens: 10, outputTokens: 10)
        try await FaultServer.withServer { server in
            server.enqueue(.reply(OpenAIFake.body(manyCalls)), Self.good)
            let run = try await workspace.run(baseURL: server.baseURL)
            run.expectSurvived("500 calls")
            #expect(run.outcome.status == 0, "\(run.outcome.stderr.prefix(500))")
            #expect(run.json?["output"]?.stringValue == Self.answer)
            try #require(server.requests.count == 2)
            expectConsistentTranscript(server.requests[1])
            let results = server.requests[1].json?["messages"]?.arrayValue?.filter { $0["role"] == "tool" } ?? []
            #expect(results.count == 500)
        }
    }

    @Test("a call to a tool the agent does not have gets an error result naming it, and the run goes on")
    func unknownTool() async throws {
        let workspace = try FaultWorkspace()
        defer { workspace.folder.remove() }
        let reply = FakeReply.calls(
            .init("format_disk", #"{"device":"/dev/sda"}"#), .init("calculator", #"{"expression":"17*23"}"#))
        try await FaultServer.withServer { server in
            server.enqueue(.reply(OpenAIFake.body(reply)), Self.good)
            let run = try await workspace.run(baseURL: server.baseURL)
            run.expectSurvived("unknown tool")
            #expect(run.outcome.status == 0)
            try #require(server.requests.count == 2)
            expectConsistentTranscript(server.requests[1])
            let results = server.requests[1].json?["messages"]?.arrayValue?.filter { $0["role"] == "tool" } ?? []
            #expect(results.first?["content"]?.stringValue?.contains("format_disk") == true, "\(results)")
            #expect(results.last?["content"]?.stringValue == "391")
            let recorded = run.json?["tool_calls"]?.arrayValue ?? []
            #expect(recorded.first?["is_error"] == true)
        }
    }
}
