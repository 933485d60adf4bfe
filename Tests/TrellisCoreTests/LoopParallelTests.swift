import Synchronization
import Testing
import TrellisCore
import TrellisTesting

/// Calls of one reply run concurrently when the agent allows it, one at a time otherwise; results keep call order.
struct LoopParallelTests {
    /// A meeting point for two calls: each records its arrival and waits (bounded) for the other.
    actor Rendezvous {
        private var arrived: Set<String> = []
        private var finished: [String] = []

        func arrive(_ name: String) { arrived.insert(name) }
        func hasArrived(_ name: String) -> Bool { arrived.contains(name) }
        func finish(_ name: String) { finished.append(name) }
        func hasFinished(_ name: String) -> Bool { finished.contains(name) }
        var finishOrder: [String] { finished }
    }

    /// `meet`: arrives as `me`, waits for `partner` to arrive, optionally waits for `after` to finish first.
    struct MeetTool: ToolExecutor {
        let rendezvous: Rendezvous
        let definition = ToolDefinition(
            name: "meet", description: "Waits for a partner",
            parameters: [
                "type": "object",
                "properties": [
                    "me": ["type": "string"], "partner": ["type": "string"], "after": ["type": "string"],
                    "patience": ["type": "integer"],
                ],
            ])

        func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
            let me = arguments["me"]?.stringValue ?? "?"
            await rendezvous.arrive(me)
            var text = me
            if let partner = arguments["partner"]?.stringValue {
                // Wall-clock patience: generous by default, since a loaded machine may start the partner late.
                let patience = arguments["patience"]?.intValue ?? 20_000
                let met = await Poll.until(timeout: .milliseconds(patience), interval: .milliseconds(5)) {
                    await rendezvous.hasArrived(partner)
                }
                text += met ? " met \(partner)" : " waited alone"
            }
            if let after = arguments["after"]?.stringValue {
                _ = await Poll.until(timeout: .seconds(30), interval: .milliseconds(5)) {
                    await rendezvous.hasFinished(after)
                }
            }
            await rendezvous.finish(me)
            return ToolOutput(text)
        }
    }

    /// `track`: counts how many of its calls are running at once.
    final class Overlap: Sendable {
        let state = Mutex<(active: Int, peak: Int)>((0, 0))
    }

    struct TrackingTool: ToolExecutor {
        let overlap = Overlap()
        let definition = ToolDefinition(
            name: "track", description: "Tracks overlap",
            parameters: ["type": "object", "properties": ["n": ["type": "integer"]]])

        var peak: Int { overlap.state.withLock { $0.peak } }

        func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
            overlap.state.withLock {
                $0.active += 1
                $0.peak = max($0.peak, $0.active)
            }
            try await Task.sleep(for: .milliseconds(30))
            overlap.state.withLock { $0.active -= 1 }
            return ToolOutput("done \(arguments["n"]?.intValue ?? -1)")
        }
    }

    @Test("parallel calls overlap: each one waits for the other and meets it")
    func parallelCallsOverlap() async throws {
        let rendezvous = Rendezvous()
        let (result, provider) = await runScript(
            [
                .calls([("meet", #"{"me":"a","partner":"b"}"#), ("meet", #"{"me":"b","partner":"a"}"#)]),
                .answer("met"),
            ], tools: [MeetTool(rendezvous: rendezvous)])

        #expect(result.toolMessages.map(\.text) == ["a met b", "b met a"])
        #expect(result.finishReason == .stop)
        #expect(provider.requests.first?.parallelToolCalls == nil)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("results are appended in call order even when the later call finishes first")
    func resultsKeepCallOrder() async throws {
        let rendezvous = Rendezvous()
        let events = EventRecorder()
        let (result, provider) = await runScript(
            [
                .calls(
                    [("meet", #"{"me":"first","after":"second"}"#), ("meet", #"{"me":"second"}"#)],
                    ids: ["id_first", "id_second"]),
                .answer("ok"),
            ], tools: [MeetTool(rendezvous: rendezvous)], events: events)

        #expect(await rendezvous.finishOrder == ["second", "first"])
        #expect(result.toolMessages.map(\.text) == ["first", "second"])
        #expect(result.toolMessages.map(\.toolCallID) == ["id_first", "id_second"])
        #expect(provider.requests.last?.trailingToolMessages.map(\.toolCallID) == ["id_first", "id_second"])
        let resultEvents = events.events.compactMap { event -> String? in
            if case .toolResult(let call, _, _) = event { return call.id }
            return nil
        }
        #expect(resultEvents == ["id_first", "id_second"])
    }

    @Test("with parallelToolCalls false the calls run one at a time and the request says so")
    func sequentialWhenParallelDisabled() async throws {
        let tracker = TrackingTool()
        let (result, provider) = await runScript(
            [
                .calls([("track", #"{"n":1}"#), ("track", #"{"n":2}"#), ("track", #"{"n":3}"#)]),
                .answer("ok"),
            ], tools: [tracker], agent: testAgent(parallelToolCalls: false))

        #expect(tracker.peak == 1)
        #expect(result.toolMessages.map(\.text) == ["done 1", "done 2", "done 3"])
        let requests = provider.requests
        try #require(requests.count == 2)
        #expect(requests.allSatisfy { $0.parallelToolCalls == false })
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("sequential calls do not meet: the first waits alone")
    func sequentialCallsDoNotOverlap() async throws {
        let rendezvous = Rendezvous()
        let (result, _) = await runScript(
            [
                // b arrives only after a gave up waiting, so b finds a already there.
                .calls([
                    ("meet", #"{"me":"a","partner":"b","patience":200}"#),
                    ("meet", #"{"me":"b","partner":"a","patience":200}"#),
                ]),
                .answer("ok"),
            ], tools: [MeetTool(rendezvous: rendezvous)], agent: testAgent(parallelToolCalls: false))

        #expect(result.toolMessages.map(\.text) == ["a waited alone", "b met a"])
    }

    @Test("with no tools offered the request leaves parallel_tool_calls and tool_choice unset")
    func noToolsNoToolSettings() async throws {
        let (_, provider) = await runScript(
            [.answer("hi")], agent: testAgent(toolChoice: .required, parallelToolCalls: false))

        let request = try #require(provider.requests.first)
        #expect(request.tools.isEmpty)
        #expect(request.parallelToolCalls == nil)
        #expect(request.toolChoice == nil)
    }
}
