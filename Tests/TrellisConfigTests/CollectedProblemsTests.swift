import Testing
import TrellisConfig
import TrellisCore

/// A file with several problems reports all of them in one load, in file order.
@Suite struct CollectedProblemsTests {
    @Test func everyProblemOfAnAgentFileInOrder() throws {
        let yaml = """
            nmae: helper
            model: openai/m
            tools: [clock, wether]
            parallel_tool_calls: maybe
            limits: {max_turns: 0, timeout: soon}
            """
        let errors = try WorkspaceFixture(agents: ["helper": yaml]).errors()
        #expect(
            errors == [
                "WS/agents/helper.yaml:1:1: unknown key 'nmae' in the agent (did you mean 'name'?); allowed: name, "
                    + "description, model, system, tools, approval, tool_choice, stop_at_tools, parallel_tool_calls, "
                    + "limits, routes, handoffs, params",
                "WS/agents/helper.yaml:3:16: unknown tool 'wether'; available: calculator, clock, http_get, list_files, "
                    + "read_file (or {plugin: NAME}, {mcp: NAME})",
                "WS/agents/helper.yaml:4:22: 'parallel_tool_calls' must be true or false, got 'maybe'",
                "WS/agents/helper.yaml:5:21: 'limits.max_turns' must be an integer from 1 to 10000, got '0'",
                "WS/agents/helper.yaml:5:33: 'limits.timeout' must be a duration from 1ms to 168h such as 30s, 500ms or 2m, "
                    + "got 'soon'",
            ])
    }

    @Test func aBrokenModelIsNotAlsoReportedMissing() throws {
        let yaml = "model: {provider: openai, name: [m]}\nsystem: [x]\nlimits: {max_turn: 3}\n"
        let errors = try WorkspaceFixture(agents: ["a": yaml]).errors()
        #expect(
            errors == [
                "WS/agents/a.yaml:1:33: 'model.name' must be a string, got a list",
                "WS/agents/a.yaml:2:9: 'system' must be a mapping, got a list",
                "WS/agents/a.yaml:3:10: unknown key 'max_turn' in 'limits' (did you mean 'max_turns'?); allowed: "
                    + "max_turns, max_tool_calls, max_tool_calls_per_turn, max_tokens, timeout, max_cost, max_repeated_calls",
            ])
    }

    @Test func everyProblemOfTrellisYAMLInOrder() throws {
        let workspace = """
            providers:
              local: {kind: openai, base_url: ftp://x}
            mcp_servers:
              time: {args: [x]}
            tools:
              http_get: {allow_host: [example.com], max_bytes: 10}
              clok: {}
            defaults: {modle: openai/m}
            """
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: local/m\ntools: [{mcp: time}]\n"], workspace: workspace)
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:2:35: 'base_url' must start with http:// or https://, got 'ftp://x'",
                "WS/trellis.yaml:4:9: MCP server 'time' is missing required key 'command'",
                "WS/trellis.yaml:6:14: unknown setting 'allow_host' for tool 'http_get' (did you mean 'allow_hosts'?); "
                    + "allowed: allow_hosts, max_bytes, timeout",
                "WS/trellis.yaml:7:3: settings for unknown tool 'clok' (did you mean 'clock'?)",
                "WS/trellis.yaml:8:12: unknown key 'modle' in 'defaults' (did you mean 'model'?); allowed: model",
            ])
    }

    @Test func undeclaredParameterInTheSystemPrompt() throws {
        let yaml =
            "model: openai/m\nsystem: Answer in {{languge}} about {{topic}}.\nparams:\n  language: {default: English}\n"
        #expect(
            try WorkspaceFixture(agents: ["a": yaml]).errors() == [
                "WS/agents/a.yaml:2:9: 'system' uses parameter '{{languge}}', which 'params:' does not declare "
                    + "(did you mean 'language'?); declared: language",
                "WS/agents/a.yaml:2:9: 'system' uses parameter '{{topic}}', which 'params:' does not declare; "
                    + "declared: language",
            ])
        let plain = try WorkspaceFixture(agents: [
            "a": "model: openai/m\nsystem: 'Keep {{ spaced }} and {{}} as written.'\n"
        ])
        #expect(plain.errors() == [])
    }
}

/// A misspelt required key is reported once, as the unknown key with its hint, not again as missing.
@Suite struct MisspeltRequiredKeyTests {
    @Test func aMisspeltModelIsNotAlsoMissing() throws {
        let errors = try WorkspaceFixture(agents: ["a": "modle: openai/m\n"]).errors()
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasPrefix("WS/agents/a.yaml:1:1: unknown key 'modle' in the agent (did you mean 'model'?)")
                == true)
    }

    @Test func aMisspeltCommandOrKindIsNotAlsoMissing() throws {
        let workspace = "providers:\n  local: {knd: openai}\nmcp_servers:\n  time: {comand: mcp-server-time}\n"
        let errors = try WorkspaceFixture(
            agents: ["a": "model: openai/m\ntools: [{mcp: time}]\n"], workspace: workspace
        )
        .errors()
        #expect(errors.count == 2)
        #expect(
            errors.first?.hasPrefix(
                "WS/trellis.yaml:2:11: unknown key 'knd' in provider 'local' (did you mean 'kind'?)") == true)
        #expect(
            errors.last?.hasPrefix(
                "WS/trellis.yaml:4:10: unknown key 'comand' in MCP server 'time' (did you mean 'command'?)") == true)
    }
}
