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
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIHarness.binary).deletingLastPathComponent()
                .appendingPathComponent("embedded-agent")
            process.arguments = ["count", "the", "words"]
            process.environment = ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": "k"]
            let output = Pipe()
            process.standardOutput = output
            let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do { try process.run() } catch { continuation.resume(throwing: error) }
            }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(status == 0)
            #expect(text == "6 words.\n")
            let toolMessage = server.requests.last?.json?["messages"]?.arrayValue?.last
            #expect(toolMessage == ["role": "tool", "tool_call_id": "call_1", "content": "6"])
        }
    }
}
