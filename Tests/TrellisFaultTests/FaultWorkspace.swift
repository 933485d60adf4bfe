import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// A workspace whose one agent talks to a ``FaultServer`` through an OpenAI-compatible provider, run with the built
/// `trellis` binary as a user runs it.
struct FaultWorkspace {
    /// The API key the provider sends; it must never be printed.
    static let key = "sk-fault-0123456789abcdef"

    let folder: TemporaryFolder

    /// A workspace with provider `faulty` (timeout `timeout`, one retry) and agent `probe` (calculator, four turns).
    init(timeout: String = "30s", extraAgentYAML: String = "") throws {
        folder = try TemporaryFolder("trellis-fault")
        try folder.write(
            "trellis.yaml",
            """
            providers:
              faulty:
                kind: openai
                base_url: ${FAULTY_URL}
                api_key: ${FAULTY_KEY}
                timeout: \(timeout)
                max_retries: 1

            """)
        try folder.write(
            "agents/probe.yaml",
            """
            model: faulty/fault-model
            system: You answer with the calculator.
            tools: [calculator]
            limits:
              max_turns: 4
              timeout: 60s
            \(extraAgentYAML)
            """)
    }

    /// `trellis run probe INPUT --json` against `baseURL`, with the outcome parsed.
    func run(baseURL: String, stream: Bool = false, extra: [String] = []) async throws -> FaultRun {
        let started = ContinuousClock.now
        let outcome = try await ChildProcess.run(
            ChildProcess.built("trellis"),
            ["run", "probe", "What is 17*23?", "--json", "--workspace", folder.path] + (stream ? ["--stream"] : [])
                + extra,
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": folder.path, "FAULTY_URL": baseURL, "FAULTY_KEY": Self.key,
            ],
            workingDirectory: folder.path, timeout: .seconds(90))
        return FaultRun(outcome: outcome, elapsed: ContinuousClock.now - started)
    }
}

/// What one faulty run printed, checked for what every run must hold whatever the fault.
struct FaultRun {
    let outcome: ChildProcessOutcome
    let elapsed: Duration

    /// The `--json` object on standard output.
    var json: JSONValue? { try? JSONValue.parse(outcome.stdout) }

    /// The run's error code, or `nil` for a run that succeeded.
    var errorCode: String? { json?["error"]?["code"]?.stringValue }

    /// The run's error message.
    var errorMessage: String { json?["error"]?["message"]?.stringValue ?? "" }

    /// No crash, exactly one JSON object, exit 0, 1 or 2, the key never printed, finished in time.
    func expectSurvived(_ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!outcome.timedOut, "\(label): trellis did not finish", sourceLocation: sourceLocation)
        #expect(
            [0, 1, 2].contains(outcome.status),
            "\(label): exit \(outcome.status), stderr: \(outcome.stderr.prefix(600))",
            sourceLocation: sourceLocation)
        #expect(
            json != nil, "\(label): stdout is not one JSON object: \(outcome.stdout.prefix(300))",
            sourceLocation: sourceLocation)
        for (stream, text) in [("stdout", outcome.stdout), ("stderr", outcome.stderr)] {
            #expect(
                !text.contains(FaultWorkspace.key), "\(label): the key is on \(stream)", sourceLocation: sourceLocation)
            #expect(
                !text.contains(String(FaultWorkspace.key.suffix(12))),
                "\(label): part of the key is on \(stream)", sourceLocation: sourceLocation)
        }
    }
}

/// Checks that a request's transcript is one an API accepts: every tool call of an assistant message is answered by
/// exactly one tool message, and every tool message answers a call.
func expectConsistentTranscript(_ request: RecordedRequest, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let messages = request.json?["messages"]?.arrayValue else {
        Issue.record("the request has no messages: \(request.body.prefix(200))", sourceLocation: sourceLocation)
        return
    }
    var calls: [String] = []
    var answers: [String: Int] = [:]
    for message in messages {
        for call in message["tool_calls"]?.arrayValue ?? [] {
            if let id = call["id"]?.stringValue { calls.append(id) }
        }
        if message["role"] == "tool", let id = message["tool_call_id"]?.stringValue { answers[id, default: 0] += 1 }
    }
    #expect(Set(calls).count == calls.count, "duplicate call ids in the transcript", sourceLocation: sourceLocation)
    for id in calls {
        #expect(answers[id] == 1, "call \(id) has \(answers[id] ?? 0) results", sourceLocation: sourceLocation)
    }
    for id in answers.keys where !calls.contains(id) {
        Issue.record("tool result \(id) answers no call", sourceLocation: sourceLocation)
    }
}
