import Testing
import TrellisCore
import TrellisTesting

/// `RunEvent`s arrive in the order things happen, and the last one is `finished`.
struct RunEventTests {
    /// A compact label for an event, to compare sequences.
    private func label(_ event: RunEvent) -> String? {
        switch event {
        case .committed: return nil
        case .routed(let decision): return "routed \(decision.agent)"
        case .handedOff(let from, let to): return "handoff \(from) \(to)"
        case .nested(let agent, let event): return label(event).map { "\(agent): \($0)" }
        case .turnStarted(let turn): return "turn \(turn)"
        case .textDelta(let text): return "text \(text)"
        case .reasoningDelta(let text): return "reasoning \(text)"
        case .toolCall(let call): return "call \(call.id)"
        case .toolResult(let call, let output, _): return "result \(call.id)\(output.isError ? " error" : "")"
        case .usage(let usage): return "usage \(usage.totalTokens)"
        case .finished(let result): return "finished \(result.finishReason.rawValue)"
        }
    }

    @Test("turn, usage, calls, results, next turn, finished")
    func eventOrder() async throws {
        let events = EventRecorder()
        let (result, _) = await runScript(
            [
                .calls(
                    [("echo", #"{"text":"a"}"#), ("nope", "{}")], usage: Usage(inputTokens: 5, outputTokens: 2),
                    ids: ["c1", "c2"]),
                .answer("done", usage: Usage(inputTokens: 9, outputTokens: 1)),
            ], tools: [EchoTool()], events: events)

        #expect(
            events.events.compactMap(label) == [
                "turn 1", "usage 7", "call c1", "call c2", "result c1", "result c2 error",
                "turn 2", "usage 10", "finished stop",
            ])
        guard case .finished(let reported) = events.events.last else {
            Issue.record("the last event is not finished")
            return
        }
        #expect(reported == result)
    }

    @Test("tool results carry the output the model sees")
    func toolResultOutput() async throws {
        let events = EventRecorder()
        _ = await runScript([.call("echo", #"{"text":"yo"}"#), .answer("ok")], tools: [EchoTool()], events: events)

        let outputs = events.events.compactMap { event -> ToolOutput? in
            if case .toolResult(_, let output, _) = event { return output }
            return nil
        }
        #expect(outputs == [ToolOutput("echo: yo")])
    }

    @Test("a result carries how long its tool ran; a call that never ran has no duration")
    func toolResultDuration() async throws {
        let events = EventRecorder()
        _ = await runScript(
            [.calls([("echo", #"{"text":"a"}"#), ("nope", "{}")], ids: ["c1", "c2"]), .answer("done")],
            tools: [EchoTool()], events: events)

        let durations = events.events.compactMap { event -> (String, Duration?)? in
            if case .toolResult(let call, _, let duration) = event { return (call.id, duration) }
            return nil
        }
        #expect(durations.map(\.0) == ["c1", "c2"])
        #expect(durations.first?.1 != nil)
        #expect(durations.last?.1 == nil)
    }

    @Test("a run that fails still ends with finished")
    func failedRunFinishes() async throws {
        let events = EventRecorder()
        _ = await runScript(
            [.failure(ProviderError.connection(provider: "p", message: "down"))], events: events)

        #expect(events.events.compactMap(label) == ["turn 1", "finished error"])
    }

    @Test("a streamed run reports text deltas before finishing")
    func streamedRunReportsText() async throws {
        let events = EventRecorder()
        let (result, _) = await runScript(
            [.answer("two words")], options: AgentRunner.Options(stream: true), events: events)

        #expect(result.output == "two words")
        #expect(events.events.compactMap(label) == ["turn 1", "text two ", "text words", "finished stop"])
    }

    @Test("a reply's reasoning is reported without streaming too, once per reply")
    func reasoningWithoutStreaming() async throws {
        let events = EventRecorder()
        let reply = ModelResponse(message: .assistant("42", reasoning: "6 times 7"), finishReason: .stop)
        let (result, _) = await runScript([.reply(reply)], events: events)

        #expect(result.output == "42")
        #expect(events.events.compactMap(label) == ["turn 1", "reasoning 6 times 7", "finished stop"])
    }
}
