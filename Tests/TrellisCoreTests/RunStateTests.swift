import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `RunState`: its stored form, and continuing and resuming runs from it.
@Suite struct RunStateTests {
    /// A state with every message kind, part kind and call phase.
    static var everything: RunState {
        var state = RunState(
            runID: "run_1", entryAgent: "desk", agent: "billing",
            transcript: [
                .system("Be brief."),
                .user([
                    .text("What is on this invoice?"), .image(url: "data:image/png;base64,AAAA", detail: "low"),
                    .image(url: "https://example.com/a.png"),
                ]),
                .assistant(
                    "Let me look.", toolCalls: [ToolCall(id: "call_1", name: "read", arguments: #"{"path":"a"}"#)],
                    reasoning: "The user wants a total."),
                .tool(callID: "call_1", name: "read", content: "total: 12 €\nüñí"),
                .assistant(
                    "",
                    toolCalls: [
                        ToolCall(id: "call_2", name: "a", arguments: "{}"),
                        ToolCall(id: "call_3", name: "b", arguments: "not json"),
                        ToolCall(id: "call_4", name: "c", arguments: ""),
                        ToolCall(id: "call_5", name: "d", arguments: "{}"),
                    ]),
            ])
        var handoff = ToolOutput(#"{"assistant":"tech"}"#)
        handoff.handoff = "tech"
        handoff.usage = Usage(inputTokens: 3, outputTokens: 1)
        state.batch = [
            PendingCall(call: state.transcript[4].toolCalls[0], phase: .done, output: handoff, seconds: 0.25),
            PendingCall(call: state.transcript[4].toolCalls[1], phase: .running),
            PendingCall(call: state.transcript[4].toolCalls[2], phase: .approval),
            PendingCall(call: state.transcript[4].toolCalls[3], phase: .ready),
        ]
        state.turns = 2
        state.usage = Usage(inputTokens: 100, outputTokens: 20, reasoningTokens: 5, cost: 0.0012)
        state.toolCalls = [
            ToolCallRecord(id: "call_1", name: "read", arguments: ["path": "a"], isError: false, content: "total: 12 €")
        ]
        state.repeats = RunState.Repeats()
        state.repeats.signature = "read\u{0}{\"path\":\"a\"}"
        state.repeats.count = 1
        state.model = "openai/gpt-4o-mini"
        state.output = "Let me look."
        state.lastCost = 0.0006
        state.route = RouteDecision(
            label: "billing", agent: "billing", confidence: 0.9, classifier: "keyword",
            runnerUp: LabelScore(label: "tech", score: 0.1),
            scores: [LabelScore(label: "billing", score: 0.9, evidence: ["invoice"])],
            fallbackReason: nil, latency: .milliseconds(2), usage: nil)
        state.error = RunError(code: "max_turns", message: "reached limits.max_turns (2)")
        state.finishReason = .maxTurns
        state.totals.runs = 1
        state.totals.turns = 3
        state.totals.usage = Usage(inputTokens: 10, outputTokens: 2)
        return state
    }

    @Test func roundTripKeepsEveryField() throws {
        let state = Self.everything
        let data = try JSONEncoder().encode(state)
        let decoded = try JSONDecoder().decode(RunState.self, from: data)
        #expect(decoded == state)
        let json = try JSONValue.parse(String(decoding: data, as: UTF8.self))
        #expect(json["version"] == 1)
        #expect(
            json["transcript"]?.arrayValue?[1]["content"] == [
                ["type": "text", "text": "What is on this invoice?"],
                ["type": "image", "url": "data:image/png;base64,AAAA", "detail": "low"],
                ["type": "image", "url": "https://example.com/a.png"],
            ])
        #expect(
            json["transcript"]?.arrayValue?[2]["tool_calls"] == [
                ["id": "call_1", "name": "read", "arguments": #"{"path":"a"}"#]
            ])
        #expect(json["transcript"]?.arrayValue?[3]["tool_call_id"] == "call_1")
        #expect(json["batch"]?.arrayValue?[0]["phase"] == "done")
        #expect(json["batch"]?.arrayValue?[0]["output"]?["handoff"] == "tech")
        #expect(json["batch"]?.arrayValue?[1]["output"] == nil)
    }

    @Test func anotherVersionIsAClearError() throws {
        let text = String(decoding: try JSONEncoder().encode(Self.everything), as: UTF8.self)
        let newer = text.replacingOccurrences(of: #""version":1"#, with: #""version":2"#)
        #expect(newer != text)
        #expect {
            try JSONDecoder().decode(RunState.self, from: Data(newer.utf8))
        } throws: { error in
            (error as? RunStateVersionError)?.description
                == "the run state has version 2, newer than this trellis reads (1); upgrade trellis"
        }
        #expect(RunStateVersionError(found: 0, supported: 1).description.contains("no longer reads"))
    }

    /// The committed states of a run of `echo a`, `echo b`, `echo c` in one reply, one after the other.
    private func committedStates(parallel: Bool) async -> [RunState] {
        let events = EventRecorder()
        _ = await runScript(
            [
                .calls(
                    [("echo", #"{"text":"a"}"#), ("echo", #"{"text":"b"}"#), ("echo", #"{"text":"c"}"#)],
                    ids: ["a", "b", "c"]),
                .answer("done"),
            ], tools: [EchoTool()], agent: testAgent(parallelToolCalls: parallel), events: events)
        return events.events.compactMap { if case .committed(let state) = $0 { state } else { nil } }
    }

    @Test func eachResultIsCommittedAsItsCallFinishes() async {
        let phases = await committedStates(parallel: false).compactMap { $0.batch?.map(\.phase.rawValue) }
        #expect(
            phases == [
                ["ready", "ready", "ready"], ["running", "ready", "ready"], ["done", "ready", "ready"],
                ["done", "running", "ready"], ["done", "done", "ready"], ["done", "done", "running"],
                ["done", "done", "done"],
            ])
        let parallel = await committedStates(parallel: true).compactMap { $0.batch?.map(\.phase) }
        #expect(parallel.first == [.ready, .ready, .ready])
        #expect(parallel.dropFirst().first == [.running, .running, .running])
        #expect(parallel.count == 5)
        #expect(parallel.last == [.done, .done, .done])
    }

    /// An `echo` that says whether it may run twice.
    struct Echo: ToolExecutor {
        let log = CallLog()
        let idempotent: Bool

        var definition: ToolDefinition {
            ToolDefinition(
                name: "echo", description: "Echoes",
                parameters: ["type": "object", "properties": ["text": ["type": "string"]]],
                idempotent: idempotent)
        }

        func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
            log.record(arguments, context)
            return ToolOutput("echo: \(arguments["text"]?.stringValue ?? "")")
        }
    }

    @Test(
        "a resume after a cut mid-batch runs only the calls without a result; the one in flight is unknown",
        arguments: [false, true])
    func resumeMidBatch(idempotent: Bool) async throws {
        let cut = try #require(
            await committedStates(parallel: false).first { $0.batch?.map(\.phase) == [.done, .running, .ready] })
        #expect(cut.status == .running)
        let echo = Echo(idempotent: idempotent)
        let provider = ScriptedModelProvider([.answer("all done")])
        let runner = AgentRunner(provider: provider, tools: [echo])
        let result = await runner.resume(testAgent(parallelToolCalls: false), from: cut)
        #expect(result.finishReason == .stop)
        #expect(result.output == "all done")
        #expect(echo.log.arguments == (idempotent ? [["text": "b"], ["text": "c"]] : [["text": "c"]]))
        let results = result.toolMessages.map(\.text)
        #expect(results.count == 3)
        #expect(results[0] == "echo: a")
        if idempotent {
            #expect(results[1] == "echo: b")
        } else {
            #expect(
                results[1]
                    == "outcome unknown: the run was interrupted while 'echo' was running, and it was not run again because "
                    + "'echo' is not declared idempotent; check its effect before calling it again")
        }
        #expect(results[2] == "echo: c")
        expectEveryCallAnsweredOnce(result.transcript)
        #expect(result.turns == 2)
        #expect(provider.requests.first?.trailingToolMessages.count == 3)
    }

    @Test("a run past limits.timeout commits its end as timeout, as its result says, with every call answered")
    func timeoutIsCommitted() async throws {
        let events = EventRecorder()
        let (result, _) = await runScript(
            [.calls([("sleeper", "{}")])], tools: [SleepingTool()],
            agent: testAgent(limits: RunLimits(timeout: .milliseconds(200))), events: events)
        #expect(result.finishReason == .timeout)
        let last = try #require(
            events.events.compactMap { if case .committed(let state) = $0 { state } else { nil } }.last)
        #expect(last.finishReason == .timeout)
        #expect(last.error?.code == "timeout")
        #expect(last.status == .finished)
        #expect(last.batch == nil)
        expectEveryCallAnsweredOnce(last.transcript)
    }

    @Test func continuingAddsTheMessageAndFoldsTheTotals() async throws {
        let events = EventRecorder()
        let first = await runScript(
            [.answer("hi", usage: Usage(inputTokens: 10, outputTokens: 2))], input: "hello", events: events)
        let state = try #require(
            events.events.compactMap { if case .committed(let state) = $0 { state } else { nil } }.last)
        #expect(state.status == .finished)
        #expect(state.result == first.result)

        let provider = ScriptedModelProvider([.answer("again", usage: Usage(inputTokens: 20, outputTokens: 3))])
        let later = EventRecorder()
        let next = await AgentRunner(provider: provider).run(
            testAgent(system: "Be kind."), continuing: state, input: [.text("and now?")]
        ) { later.record($0) }
        #expect(next.output == "again")
        #expect(next.turns == 1)
        #expect(next.usage == Usage(inputTokens: 20, outputTokens: 3))
        #expect(provider.requests.first?.messages.map(\.text) == ["Be kind.", "hello", "hi", "and now?"])
        let last = try #require(
            later.events.compactMap { if case .committed(let state) = $0 { state } else { nil } }.last)
        #expect(last.totals.runs == 1)
        #expect(last.allTurns == 2)
        #expect(last.allUsage == Usage(inputTokens: 30, outputTokens: 5))

        var running = last
        running.status = .running
        let refused = await AgentRunner(provider: provider).run(testAgent(), continuing: running, input: [.text("x")])
        #expect(refused.error?.code == "interrupted_run")
    }
}
