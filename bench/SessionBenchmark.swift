// The cost of keeping run state on disk: one step committed to the workspace's SQLite store, and a 100-turn
// session resumed from it; see docs/benchmarks.md.
import Foundation
import TrellisCore
import TrellisRuntime
import TrellisTesting

enum SessionBenchmark {
    /// A conversation of `turns` exchanges: a question, a tool call, its result, an answer (each ~200 characters).
    static func state(turns: Int) -> RunState {
        let sentence = String(repeating: "The invoice lists three items and a total. ", count: 5)
        var transcript: [ChatMessage] = [.system("You answer questions about invoices. Be brief.")]
        for turn in 0..<turns {
            let call = ToolCall(id: "call_\(turn)", name: "read_file", arguments: #"{"path":"invoices/\#(turn).txt"}"#)
            transcript += [
                .user("Question \(turn): " + sentence), .assistant("", toolCalls: [call]),
                .tool(callID: call.id, name: call.name, content: sentence),
                .assistant("Answer \(turn): " + sentence),
            ]
        }
        var state = RunState(runID: "run_bench", entryAgent: "clerk", agent: "clerk", transcript: transcript)
        state.status = .finished
        state.finishReason = .stop
        state.turns = 2
        state.usage = Usage(inputTokens: 1200, outputTokens: 300)
        state.totals.turns = turns * 2
        state.totals.runs = turns - 1
        return state
    }

    static func run(runs: Int) async throws {
        let folder = try TemporaryFolder("trellis-bench-session")
        defer { folder.remove() }
        let store = try await SessionStore.open(path: folder.path(".trellis/trellis.db"))
        try await store.claim("bench")
        print("one step committed to .trellis/trellis.db (SessionStore.save: JSON encoding and one upsert, WAL, ")
        print("synchronous=NORMAL), and a session resumed from disk; \(runs) runs, in ms")
        print("| what | state size | p50 | p99 |")
        print("|---|---|---|---|")
        for turns in [10, 100] {
            let state = state(turns: turns)
            let size = try JSONEncoder().encode(state).count
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try await store.save("bench", agent: "clerk", state: state)
                samples.append((ContinuousClock.now - start).secondsValue * 1000)
            }
            row("commit one step, \(turns)-turn session", size, samples)
        }
        await store.close()

        // Resume: open the store, read and decode the 100-turn state, and run the next message to its answer
        // (a scripted model that answers at once, so what is left is the runtime's own cost).
        let agent = AgentDefinition(name: "clerk", model: ModelReference(provider: "p", name: "m"))
        var samples: [Double] = []
        let base = state(turns: 100)
        for _ in 0..<max(10, runs / 10) {
            let reset = try await SessionStore.open(path: folder.path(".trellis/trellis.db"))
            try await reset.claim("bench")
            try await reset.save("bench", agent: "clerk", state: base)
            await reset.close()
            let start = ContinuousClock.now
            let opened = try await SessionStore.open(path: folder.path(".trellis/trellis.db"))
            try await opened.claim("bench")
            guard let stored = try await opened.session("bench") else { throw BenchFailure("no session") }
            let runner = AgentRunner(provider: ScriptedModelProvider([.answer("ok")]))
            let result = await runner.run(agent, continuing: stored.state, input: [.text("one more")]) { event in
                if case .committed(let next) = event { try? await opened.save("bench", agent: "clerk", state: next) }
            }
            guard result.output == "ok" else { throw BenchFailure("resume: \(result.error?.message ?? "no answer")") }
            await opened.close()
            samples.append((ContinuousClock.now - start).secondsValue * 1000)
        }
        row(
            "resume a 100-turn session (open, read, decode, one turn, its commits)",
            try JSONEncoder().encode(base).count, samples)
    }

    private static func row(_ name: String, _ size: Int, _ samples: [Double]) {
        let sorted = samples.sorted()
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        print("| \(name) | \(size / 1024) KiB | \(String(format: "%.3f", p50)) | \(String(format: "%.3f", p99)) |")
    }
}
