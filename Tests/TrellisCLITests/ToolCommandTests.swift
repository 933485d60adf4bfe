import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `trellis tool call`, `trellis tools` and the approval prompt, on copies of the shipped plugins.
@Suite struct ToolCommandTests {
    static let environment = ["TRELLIS_JSONQ": CLIHarness.buildFolder + "/jsonq"]

    @Test("tool call runs a plugin's tool, qualified or not, and prints its result")
    func callPluginTool() async throws {
        let cli = try await PluginAgentTests.workbench()
        for name in ["units/convert", "convert"] {
            let outcome = try await cli.run(
                ["tool", "call", name, "--args", #"{"value": 10, "from": "km", "to": "mi"}"#],
                environment: Self.environment)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let result = try JSONValue.parse(outcome.stdout)
            #expect(result["unit"] == "mi")
            #expect(result["text"] == "10 km = 6.21371192237334 mi")
        }
    }

    @Test("tool call --json names the tool and its source; a tool's error result exits 1")
    func callJSONAndErrors() async throws {
        let cli = try await PluginAgentTests.workbench()
        let clock = try await cli.run(
            ["tool", "call", "calculator", "--args", #"{"expression": "6*7"}"#, "--json"], environment: Self.environment
        )
        #expect(clock.status == 0, "\(clock.stderr)")
        #expect(
            try JSONValue.parse(clock.stdout)
                == ["tool": "calculator", "source": "builtin", "content": "42", "is_error": false])

        let bad = try await cli.run(
            ["tool", "call", "units/convert", "--args", #"{"value": 1, "from": "km", "to": "kg"}"#, "--json"],
            environment: Self.environment)
        #expect(bad.status == 1)
        let result = try JSONValue.parse(bad.stdout)
        #expect(result["source"] == "plugin:units")
        #expect(result["is_error"] == true)
        #expect(result["content"]?.stringValue?.contains("kg") == true)
    }

    @Test("tool call refuses unknown tools and invalid arguments with exit 2 and one clear line")
    func callUsageErrors() async throws {
        let cli = try await PluginAgentTests.workbench()
        let invalid = try await cli.run(
            ["tool", "call", "units/convert", "--args", #"{"value": "ten", "from": "km", "to": "mi"}"#],
            environment: Self.environment)
        #expect(invalid.status == 2)
        #expect(
            invalid.stderr
                == "error: invalid arguments for tool 'units/convert': $.value: expected number, got string\n")

        let notJSON = try await cli.run(
            ["tool", "call", "convert", "--args", "{value: 1}"], environment: Self.environment)
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.hasPrefix("error: --args is not valid JSON"))

        let unknown = try await cli.run(["tool", "call", "units/convrt"], environment: Self.environment)
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.hasPrefix(
                "error: no tool 'units/convrt' (did you mean 'units/convert'?); tools: units/convert"))
    }

    @Test("a plugin whose program is not built stops only its own calls; validate names it")
    func unbuiltPlugin() async throws {
        let cli = try await PluginAgentTests.workbench()
        // No TRELLIS_JSONQ: the manifest's ../../.build/debug/jsonq does not exist in this workspace.
        let units = try await cli.run(["tool", "call", "units/convert", "--args", #"{"value":1,"from":"m","to":"cm"}"#])
        #expect(units.status == 0, "\(units.stderr)")
        let jsonq = try await cli.run(["tool", "call", "jsonq/format", "--args", #"{"json":"[1]"}"#])
        #expect(jsonq.status == 1)
        #expect(
            jsonq.stdout
                == "plugin 'jsonq', tool 'format': cannot start: command '\(cli.root)/.build/debug/jsonq' is not an "
                + "executable file\n")
        let validate = try await cli.run(["validate"])
        #expect(validate.status == 2)
        #expect(
            validate.stderr
                == "error: \(cli.root)/plugins/jsonq/plugin.yaml:7:10: command '../../.build/debug/jsonq' "
                + "does not exist (looked for \(cli.root)/.build/debug/jsonq)\n")
    }

    @Test("an ask rule is a refusal the model reads when there is no terminal to ask on")
    func askWithoutTerminal() async throws {
        let cli = try await Self.askingWorkspace()
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(.calls(.init("convert", #"{"value":1,"from":"km","to":"m"}"#)), stream: false),
                OpenAIFake.reply(.text("I was not allowed to convert."), stream: false))
            let outcome = try await cli.run(
                ["run", "asker", "1 km in m?", "--json"],
                environment: Self.environment.merging([
                    "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test",
                ]) { $1 })
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let call = try JSONValue.parse(outcome.stdout)["tool_calls"]?.arrayValue?.first
            #expect(call?["is_error"] == true)
            #expect(
                call?["content"]?.stringValue
                    == "not executed: tool 'convert' needs approval (approval: ask) and there is no terminal to ask on; "
                    + "set its rule to allow for unattended runs")
        }
    }

    @Test("an ask rule prompts on the terminal; yes runs the call, no declines it", arguments: ["y", "n"])
    func askOnTerminal(_ answer: String) async throws {
        let cli = try await Self.askingWorkspace()
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(.calls(.init("convert", #"{"value":1,"from":"km","to":"m"}"#)), stream: false),
                OpenAIFake.reply(.text("done"), stream: false))
            // A pseudo-terminal as the controlling terminal, answered when the prompt shows.
            let outcome = try await cli.runOnTerminal(
                ["run", "asker", "1 km in m?", "--json"], answer: ("allow? [y/N]", answer),
                environment: Self.environment.merging([
                    "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test",
                ]) { $1 })
            #expect(outcome.status == 0, "\(outcome.stdout) \(outcome.stderr)")
            #expect(outcome.stdout.contains(#"asker wants to call convert {"value":1,"from":"km","to":"m"}"#))
            let json = try JSONValue.parse(
                String(outcome.stdout.split(whereSeparator: \.isNewline).last { $0.hasPrefix("{") } ?? ""))
            let call = json["tool_calls"]?.arrayValue?.first
            #expect(call?["is_error"] == .bool(answer == "n"))
            if answer == "n" {
                #expect(call?["content"] == "not executed: the user declined the call to 'convert'")
            } else {
                #expect(call?["content"]?.stringValue?.contains("1 km = 1000 m") == true)
            }
        }
    }

    /// A workspace whose agent `asker` may use the units plugin only after asking.
    static func askingWorkspace() async throws -> CLIHarness {
        let cli = try await PluginAgentTests.workbench()
        try """
        model: openai/gpt-4o-mini
        tools: [{plugin: units}]
        approval: {default: allow, tools: {convert: ask}}
        """.write(toFile: cli.root + "/agents/asker.yaml", atomically: true, encoding: .utf8)
        return cli
    }
}
