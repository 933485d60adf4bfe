import Testing
import TrellisConfig

@Suite struct DefinitionErrorTests {
    @Test func yamlSyntaxErrorNamesLineAndColumn() throws {
        let fixture = try WorkspaceFixture(agents: ["bad": "model: openai/gpt-4o\nsystem: [unclosed\ntools: []\n"])
        let errors = fixture.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("WS/agents/bad.yaml:3:6: invalid YAML") == true)
    }

    @Test func unknownKeyHasDidYouMeanHint() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nsytem: hello\n"])
        #expect(
            fixture.errors().first?.hasPrefix(
                "WS/agents/a.yaml:2:1: unknown key 'sytem' in the agent (did you mean 'system'?)") == true)
    }

    @Test func unknownNestedKeyIsReportedAtItsPlace() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits:\n  max_turn: 3\n"])
        #expect(
            fixture.errors().first?.hasPrefix(
                "WS/agents/a.yaml:3:3: unknown key 'max_turn' in 'limits' (did you mean 'max_turns'?)") == true)
    }

    @Test func mistypedFieldNamesFieldAndPlace() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits:\n  max_turns: ten\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:3:14: 'limits.max_turns' must be an integer from 1 to 10000, got 'ten'"
            ])
    }

    @Test func missingModelIsAnError() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "system: hi\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:1:1: missing required key 'model' (for example: model: openai/gpt-4o-mini)"
            ])
    }

    @Test func missingEnvironmentVariableNamesItAndThePlace() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nsystem: \"Hello ${USER_NAME}\"\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:2:9: environment variable 'USER_NAME' is not set (write ${USER_NAME:-default} for a default)"
            ])
    }

    @Test func unknownToolAndProviderAreReportedTogether() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: opnai/gpt-4o\ntools:\n  - clock\n  - calculater\n"])
        let errors = fixture.errors()
        #expect(errors.count == 2)
        #expect(
            errors.contains { $0.hasPrefix("WS/agents/a.yaml:1:8: unknown provider 'opnai' (did you mean 'openai'?)") })
        #expect(
            errors.contains {
                $0.hasPrefix("WS/agents/a.yaml:4:5: unknown tool 'calculater' (did you mean 'calculator'?)")
            })
    }

    @Test func duplicateAgentNameNamesBothFiles() throws {
        let fixture = try WorkspaceFixture(agents: [
            "one": "name: helper\nmodel: openai/gpt-4o\n", "two": "name: helper\nmodel: openai/gpt-4o\n",
        ])
        #expect(
            fixture.errors() == [
                "WS/agents/two.yaml:1:7: duplicate agent name 'helper' (also defined in WS/agents/one.yaml)"
            ])
    }

    @Test func workspaceFileErrorsArePlaced() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: local/m\n"],
            workspace: "providers:\n  local:\n    kind: opanai\n    base_url: http://127.0.0.1:1/v1\n")
        let errors = fixture.errors()
        #expect(
            errors.first?.hasPrefix("WS/trellis.yaml:3:11: unknown provider kind 'opanai' (did you mean 'openai'?)")
                == true)
    }

    @Test func badDurationIsExplained() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/m\nlimits: {timeout: soon}\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:2:19: 'limits.timeout' must be a duration from 1ms to 168h such as 30s, 500ms or 2m, got 'soon'"
            ])
    }
}
