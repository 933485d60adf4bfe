import Foundation
import Testing
import TrellisCore
import TrellisRuntime
import TrellisTesting

/// The SQLite session store: what is saved is what is read back, also as a conversation grows and its prompt
/// changes; listing, removing, and a store from a newer trellis.
@Suite struct SessionStoreTests {
    @Test func savedStatesReadBackAsTheyGrowAndChange() async throws {
        let folder = try TemporaryFolder("trellis-store")
        defer { folder.remove() }
        let path = folder.path(".trellis/trellis.db")
        let store = try await SessionStore.open(path: path)
        try await store.claim("s")
        var state = RunState(runID: "run_1", entryAgent: "a", agent: "a", transcript: [.system("One."), .user("hi")])
        for step in 0..<6 {
            switch step {
            case 1: state.transcript.append(.assistant("", toolCalls: [ToolCall(id: "c", name: "t", arguments: "{}")]))
            case 2: state.transcript.append(.tool(callID: "c", name: "t", content: "ok \"quoted\" \"transcript\":[]"))
            case 3: state.transcript[0] = .system("Two.")  // a handoff replaces the prompt
            case 4: state.transcript.removeLast()
            default: state.transcript.append(.assistant("done"))
            }
            state.turns = step
            try await store.save("s", agent: "a", state: state)
            #expect(try await store.session("s")?.state == state, "step \(step)")
        }
        let list = try await store.sessions()
        #expect(list.map(\.name) == ["s"])
        #expect(list.first?.messages == state.transcript.count)
        #expect(try await store.remove("s"))
        #expect(try await store.session("s") == nil)
        #expect(try await store.remove("s") == false)
        await store.close()

        // A second store on the file sees what the first wrote; a name that is not one is refused.
        let again = try await SessionStore.open(path: path)
        await #expect(throws: SessionError.invalidName("a b")) { try await again.claim("a b") }
        await again.close()
    }
}
