import Testing
import TrellisCore
import TrellisTesting

/// `trellis run --stream` against servers that misbehave after their headers, as a user sees it.
@Suite(.serialized) struct StreamDeadlineCLITests {
    /// The fake provider of ``RunCommandTests`` with its `timeout` set.
    static func workspace(_ baseURL: String, timeout: String) -> String {
        RunCommandTests.workspace(baseURL) + "    timeout: \(timeout)\n"
    }

    @Test("an answer whose server keeps the connection open after data: [DONE] is printed at once")
    func answerAtDone() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(OpenAIFake.reply(.text("The answer is 42."), stream: true).holdingOpen(for: .seconds(120)))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": RunCommandTests.agent,
                "trellis.yaml": Self.workspace(server.baseURL, timeout: "60s"),
            ])
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = try await cli.run(["run", "calc", "hi", "--json", "--stream"])

            #expect(clock.now - start < .seconds(60))
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["finish_reason"] == "stop")
            #expect(json["output"] == "The answer is 42.")
        }
    }

    @Test("a stream that stalls after its headers ends the run with provider_timeout after the provider's timeout")
    func stallIsATimeout() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(FakeResponse.eventStream([]).holdingOpen(for: .seconds(120)))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": RunCommandTests.agent,
                "trellis.yaml": Self.workspace(server.baseURL, timeout: "5s"),
            ])
            let clock = ContinuousClock()
            let start = clock.now
            let outcome = try await cli.run(["run", "calc", "hi", "--json", "--stream"])

            #expect(clock.now - start < .seconds(60))
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["finish_reason"] == "error")
            #expect(json["error"]?["code"] == "provider_timeout")
            #expect(json["error"]?["message"] == "provider 'fake': no data for 5s while streaming")
        }
    }
}
