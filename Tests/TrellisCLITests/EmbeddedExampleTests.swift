import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// The README's "Using Trellis from Swift" example compiles (it is the `embedded-agent` target) and runs.
@Suite struct EmbeddedExampleTests {
    @Test func readmeShowsTheExampleVerbatim() throws {
        let root = CLIHarness.packageRoot
        let example = try String(contentsOfFile: root + "/Examples/embedded-agent/main.swift", encoding: .utf8)
        let readme = try String(contentsOfFile: root + "/README.md", encoding: .utf8)
        #expect(readme.contains("```swift\n" + example + "```"))
    }

    @Test func exampleRunsItsOwnToolAgainstAServer() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"word_count","arguments":"{\"text\":\"to be or not to be\"}"}}]},"finish_reason":"tool_calls"}]}"#
                ),
                .json(
                    #"{"choices":[{"index":0,"message":{"role":"assistant","content":"6 words."},"finish_reason":"stop"}]}"#
                ))
            let example = (CLIHarness.binary as NSString).deletingLastPathComponent + "/embedded-agent"
            let run = try await ChildProcess.run(
                example, ["count", "the", "words"],
                environment: ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": "k"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "6 words.\n")
            let toolMessage = server.requests.last?.json?["messages"]?.arrayValue?.last
            #expect(toolMessage == ["role": "tool", "tool_call_id": "call_1", "content": "6"])
        }
    }
}
