import Testing
import TrellisCore
import TrellisTesting

/// Cancelling a run ends it with `cancelled`, and the transcript still answers every call.
struct LoopCancellationTests {
    /// Waits (bounded, generously: a loaded CI machine can take seconds to start a task) until `condition` holds.
    private func waitUntil(_ condition: () -> Bool) async throws {
        try #require(await Poll.until(timeout: .seconds(30), interval: .milliseconds(5), condition))
    }

    @Test(
        "cancelling while tools run answers every call and reports cancelled, also with a timeout set",
        arguments: [(true, nil), (false, nil), (true, Duration.seconds(30))] as [(Bool, Duration?)])
    func cancelDuringTools(parallel: Bool, timeout: Duration?) async throws {
        let sleeper = SleepingTool()
        let echo = EchoTool()
        let provider = ScriptedModelProvider([.calls([("sleeper", "{}"), ("echo", "{}")]), .answer("unused")])
        let runner = AgentRunner(provider: provider, tools: [sleeper, echo])
        let agent = testAgent(parallelToolCalls: parallel, limits: RunLimits(timeout: timeout))
        let run = Task { await runner.run(agent, input: "go") }

        try await waitUntil { sleeper.log.count == 1 }
        run.cancel()
        let result = await run.value

        #expect(result.finishReason == .cancelled)
        #expect(result.error?.code == "cancelled")
        #expect(provider.requests.count == 1)
        #expect(result.toolMessages.map(\.toolCallID) == ["call_1", "call_2"])
        #expect(result.toolMessages.first?.text == "not finished: the run was cancelled")
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("cancelling while waiting for the model reports cancelled")
    func cancelDuringModelCall() async throws {
        let provider = ScriptedModelProvider([.delayed(.seconds(30), .answer("late"))])
        let runner = AgentRunner(provider: provider)
        let run = Task { await runner.run(testAgent(), input: "go") }

        try await waitUntil { provider.requests.count == 1 }
        run.cancel()
        let result = await run.value

        #expect(result.finishReason == .cancelled)
        #expect(result.error?.message == "the run was cancelled")
        #expect(!result.finishReason.isSuccess)
    }
}
