import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// What `trellis run` prints for scripts: one JSON object on every path, one `error: ` prefix, and the workspace,
/// input and model it runs with.
@Suite(.serialized) struct RunOutputTests {
    static let agent = RunCommandTests.agent
    static let unreachable = RunCommandTests.workspace("http://127.0.0.1:9/v1")

    /// A run that could not start: the documented shape, no turns, and `error.code`.
    func expectFailure(
        _ outcome: CLIOutcome, code: String, agent: JSONValue, status: Int32 = 2,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(outcome.status == status, "\(outcome.stderr)", sourceLocation: sourceLocation)
        let json = try JSONValue.parse(outcome.stdout)
        #expect(
            json.objectValue?.keys == [
                "agent", "model", "output", "finish_reason", "route", "turns", "tool_calls", "usage", "error",
            ], sourceLocation: sourceLocation)
        #expect(json["agent"] == agent, sourceLocation: sourceLocation)
        #expect(json["finish_reason"] == "error", sourceLocation: sourceLocation)
        #expect(json["turns"] == 0, sourceLocation: sourceLocation)
        #expect(json["tool_calls"] == [], sourceLocation: sourceLocation)
        #expect(json["usage"] == .null, sourceLocation: sourceLocation)
        #expect(json["error"]?["code"] == .string(code), sourceLocation: sourceLocation)
        let message = try #require(json["error"]?["message"]?.stringValue, sourceLocation: sourceLocation)
        #expect(
            outcome.stderr.hasPrefix("error: \(message.split(separator: "\n").first ?? "")"),
            sourceLocation: sourceLocation)
    }

    @Test func configurationErrorsAreOneJSONObjectWithACode() async throws {
        let cli = try CLIHarness(files: ["agents/calc.yaml": Self.agent, "trellis.yaml": Self.unreachable])

        try expectFailure(try await cli.run(["run", "nobody", "hi", "--json"]), code: "unknown_agent", agent: "nobody")
        try expectFailure(
            try await cli.run(["run", "agents/none.yaml", "hi", "--json"]), code: "unknown_agent",
            agent: "agents/none.yaml")
        try expectFailure(
            try await cli.run(["run", "calc", "hi", "-p", "oops", "--json"]), code: "invalid_usage", agent: "calc")
        try expectFailure(
            try await cli.run(["run", "calc", "hi", "--model", "nope", "--json"]), code: "invalid_usage",
            agent: "calc")
        try expectFailure(
            try await cli.run(["run", "calc", "hi", "--image", "missing.png", "--json"]), code: "invalid_input",
            agent: "calc")
        try expectFailure(
            try await cli.run(["run", "calc", "--json"], stdin: ""), code: "invalid_input", agent: "calc")

        let unknown = try await cli.run(["run", "calc", "hi", "--model", "fak/x", "--json"])
        try expectFailure(unknown, code: "unknown_provider", agent: "calc")
        #expect(unknown.stderr.contains("unknown provider 'fak' (did you mean 'fake'?)"))
        #expect(unknown.stderr.contains("configured: "))
        #expect(unknown.stderr.contains("fake"))

        let flag = try await cli.run(["run", "calc", "hi", "--json", "--frobnicate"])
        try expectFailure(flag, code: "invalid_usage", agent: .null)
        #expect(flag.stderr.hasPrefix("error: Unknown option '--frobnicate'\n"))
    }

    @Test func invalidDefinitionAndMissingKey() async throws {
        let broken = try CLIHarness(files: [
            "agents/calc.yaml": Self.agent + "\ntols: []\n", "trellis.yaml": Self.unreachable,
        ])
        let invalid = try await broken.run(["run", "calc", "hi", "--json"])
        try expectFailure(invalid, code: "invalid_definition", agent: "calc")
        #expect(invalid.stderr.contains("agents/calc.yaml:"))

        let keyless = try CLIHarness(files: ["agents/calc.yaml": "model: openai/gpt-4o-mini\n"])
        let outcome = try await keyless.run(["run", "calc", "hi", "--json"])
        try expectFailure(outcome, code: "missing_api_key", agent: "calc")
        #expect(try JSONValue.parse(outcome.stdout)["model"] == "openai/gpt-4o-mini")
        #expect(outcome.stderr.contains("OPENAI_API_KEY"))
    }

    @Test func usageIsNullWhenTheProviderReportsNone() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#
                ))
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": RunCommandTests.workspace(server.baseURL),
            ])
            let outcome = try await cli.run(["run", "calc", "hi", "--json"])
            #expect(outcome.status == 0)
            #expect(try JSONValue.parse(outcome.stdout)["usage"] == .null)
        }
    }

    @Test func errorsHaveOnePrefix() async throws {
        let cli = try CLIHarness(files: [:])
        let outcome = try await cli.run(["frobnicate"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("error: Unexpected argument 'frobnicate'\n"))
        #expect(!outcome.stderr.contains("Error:"))
        #expect(outcome.stderr.contains("Usage: trellis"))
        #expect(outcome.stdout == "")
    }

    @Test func stdinLosesOneTrailingLineBreak() async throws {
        try await FakeVendorServer.withServer { server in
            for _ in 0..<3 { server.enqueue(.json(RunCommandTests.answerReply)) }
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": Self.agent, "trellis.yaml": RunCommandTests.workspace(server.baseURL),
            ])
            for input in ["one\n", "two\r\n", "three\n\n"] {
                #expect(try await cli.run(["run", "calc"], stdin: input).status == 0)
            }
            let inputs = server.requests.map { $0.json?["messages"]?.arrayValue?.last?["content"] }
            #expect(inputs == ["one", "two", "three\n"])
        }
    }

    @Test func modelOptionReplacesTheAgentsModelAndItsFallbacks() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(RunCommandTests.answerReply))
            let agent = """
                model:
                  name: fake/test-model
                  temperature: 0.25
                  fallback: [other/backup]
                """
            let cli = try CLIHarness(files: [
                "agents/calc.yaml": agent,
                "trellis.yaml": RunCommandTests.workspace(server.baseURL)
                    + "  other:\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    api_key: k\n",
            ])
            let outcome = try await cli.run(["run", "calc", "hi", "--model", "fake/org/bigger-model", "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try JSONValue.parse(outcome.stdout)["model"] == "fake/org/bigger-model")
            let body = server.requests.first?.json
            #expect(body?["model"] == "org/bigger-model")
            #expect(body?["temperature"] == 0.25)
        }
    }

    @Test("an agent run by path uses its own workspace, from any folder", arguments: [false, true])
    func agentByPathUsesItsWorkspace(absolute: Bool) async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                OpenAIFake.reply(.calls(.init("convert", #"{"value":1,"from":"km","to":"m"}"#)), stream: false),
                OpenAIFake.reply(.text("1000 m"), stream: false))
            // The current folder's trellis.yaml knows no provider 'fake' and it has no plugins.
            let cli = try CLIHarness(files: [
                "trellis.yaml": "providers: {}\n",
                "work/proj/trellis.yaml": RunCommandTests.workspace(server.baseURL),
                "work/proj/agents/conv.yaml": "model: fake/test-model\ntools: [{plugin: units}]\n",
            ])
            try FileManager.default.copyItem(
                atPath: CLIHarness.packageRoot + "/plugins/units", toPath: cli.root + "/work/proj/plugins/units")
            let path = (absolute ? cli.root + "/" : "") + "work/proj/agents/conv.yaml"
            let outcome = try await cli.run(["run", path, "1 km in m?", "--json"])
            #expect(outcome.status == 0, "\(outcome.stdout) \(outcome.stderr)")
            let call = try JSONValue.parse(outcome.stdout)["tool_calls"]?.arrayValue?.first
            #expect(call?["is_error"] == false)
            #expect(call?["content"]?.stringValue?.contains("1 km = 1000 m") == true)

            // --workspace still wins.
            let chosen = try await cli.run(["run", path, "1 km in m?", "--workspace", ".", "--json"])
            #expect(chosen.status == 2)
            #expect(try JSONValue.parse(chosen.stdout)["error"]?["code"] == "invalid_definition")
        }
    }
}
