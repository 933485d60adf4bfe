import Foundation
import Testing
import TrellisCore
import TrellisRuntime

/// The stored form of a run's state, written part by part with each part's JSON kept between saves: every save
/// reads back as the state saved, and says what `JSONEncoder` says of the whole state, however the state changed
/// since the save before.
@Suite struct RunStateJSONTests {
    /// A conversation's states one step after another, with every optional field set at some point and cleared
    /// again, earlier parts edited, and text that needs escaping.
    static func steps() -> [RunState] {
        var state = RunState(
            runID: "run_1", entryAgent: "desk", agent: "desk", transcript: [.system("Be brief."), .user("hi")])
        var states = [state]
        func step(_ change: (inout RunState) -> Void) {
            change(&state)
            states.append(state)
        }
        let call = ToolCall(id: "call_1", name: "calculator", arguments: #"{"expression":"6*7"}"#)
        step {
            $0.turns = 1
            $0.usage = Usage(inputTokens: 12, outputTokens: 3, cost: 0.000_015)
            $0.model = "fake/m"
            $0.lastCost = 0.000_015
            $0.transcript.append(.assistant("", toolCalls: [call]))
            $0.batch = [PendingCall(call: call, phase: .ready)]
            $0.route = RouteDecision(
                label: "billing", agent: "desk", confidence: 0.875, classifier: "keyword",
                runnerUp: LabelScore(label: "tech", score: 0.5, evidence: ["nearest: \"a/b\""]),
                latency: .microseconds(11))
        }
        step { $0.batch = [PendingCall(call: call, phase: .running)] }
        step {
            $0.batch = [PendingCall(call: call, phase: .done, output: ToolOutput("42"), seconds: 0.25)]
            $0.repeats.signature = #"calculator {"expression":"6*7"}"#
            $0.repeats.count = 1
        }
        step {
            $0.batch = nil
            $0.transcript.append(.tool(callID: "call_1", name: "calculator", content: "42 \"transcript\":[]\n\t\u{1}"))
            $0.toolCalls.append(
                ToolCallRecord(
                    id: "call_1", name: "calculator", arguments: ["expression": "6*7"], isError: false, content: "42"))
        }
        step { $0.transcript[0] = .system("Handed off: be briefer.") }  // a handoff replaces the prompt
        step {
            $0.repeats.tripped = "calculator"
            $0.toolCalls[0].content = "changed"
            $0.output = "Ünïcödé ✓ \\ \"quoted\" </script>"
            $0.transcript.append(.assistant("The answer is 42."))
            $0.lastCost = 2
        }
        step {
            $0.status = .finished
            $0.finishReason = .error
            $0.error = RunError(code: "max_turns", message: "stopped after 1 turn")
            $0.totals.runs = 1
            $0.totals.turns = 1
            $0.totals.usage = Usage(inputTokens: 12, outputTokens: 3)
        }
        step {
            $0.status = .running
            $0.runID = "run_2"
            $0.finishReason = nil
            $0.error = nil
            $0.route = nil
            $0.usage = nil
            $0.model = nil
            $0.repeats = RunState.Repeats()
            $0.toolCalls = []
            $0.transcript.removeLast(2)
            $0.lastCost = 0
        }
        return states
    }

    @Test func everySaveReadsBackAsTheWholeStateEncoded() throws {
        var encoder = RunStateJSON()
        for (index, state) in Self.steps().enumerated() {
            let text = try encoder.encode(state)
            #expect(try RunStateJSON.decode(text) == state, "step \(index)")
            let whole = String(decoding: try RunStateJSON.encoder.encode(state), as: UTF8.self)
            #expect(try JSONValue.parse(text) == JSONValue.parse(whole), "step \(index)")
            var fresh = RunStateJSON()
            // The parts' own key order is JSONEncoder's (a hash order), so the texts are compared as JSON.
            #expect(try JSONValue.parse(fresh.encode(state)) == JSONValue.parse(text), "step \(index): a fresh encoder")
        }
    }

    @Test func keysComeInTheDocumentedOrder() throws {
        let state = Self.steps()[1]
        var encoder = RunStateJSON()
        let text = try encoder.encode(state)
        guard case .object(let object) = try JSONValue.parse(text) else {
            Issue.record("not an object: \(text.prefix(200))")
            return
        }
        #expect(
            object.keys == [
                "version", "run_id", "entry_agent", "agent", "status", "transcript", "batch", "turns", "usage",
                "tool_calls", "repeats", "model", "output", "last_cost", "route", "totals",
            ])
    }

    @Test func aDamagedTranscriptNamesTheMessageAndAnotherVersionIsNamedFirst() throws {
        var encoder = RunStateJSON()
        let text = try encoder.encode(Self.steps()[4])
        let damaged = text.replacingOccurrences(of: #""role":"tool""#, with: #""role":"robot""#)
        let problem = "unknown role 'robot' (system, user, assistant, tool)"
        #expect(throws: StoredFormError(path: "transcript[3].role", problem: problem)) {
            try RunStateJSON.decode(damaged)
        }
        let newer = damaged.replacingOccurrences(of: #"{"version":1,"#, with: #"{"version":2,"#)
        #expect(throws: RunStateVersionError(found: 2, supported: 1)) { try RunStateJSON.decode(newer) }
    }

    @Test func aCostThatIsNotANumberIsRefusedAsJSONEncoderRefusesIt() {
        var state = RunState(runID: "run_1", entryAgent: "a", agent: "a", transcript: [])
        state.lastCost = .infinity
        var encoder = RunStateJSON()
        #expect(throws: EncodingError.self) { try encoder.encode(state) }
        #expect(throws: EncodingError.self) { try RunStateJSON.encoder.encode(state) }
    }
}
