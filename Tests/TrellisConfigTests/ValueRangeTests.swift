import Testing
import TrellisConfig
import TrellisCore

/// Every number and duration has a range; one outside is an error at its place that names the range, never a trap.
@Suite struct ValueRangeTests {
    static let agent = ["a": "model: openai/gpt-4o\n"]

    @Test("limits.timeout past Int64 milliseconds (1e17 s) is an error naming the range, not a crash")
    func hugeRunTimeout() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits: {timeout: 1e17}\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:2:19: 'limits.timeout' must be a duration from 1ms to 168h such as 30s, 500ms or 2m, got '1e17'"
            ])
    }

    @Test(
        "durations that overflow, are not numbers or are below 1 ms are errors",
        arguments: ["1e400s", "nan", "inf", "0.0001s", "-1s"])
    func unrepresentableDurations(_ text: String) throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits: {timeout: \(text)}\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:2:19: 'limits.timeout' must be a duration from 1ms to 168h such as 30s, 500ms or 2m, got '\(text)'"
            ])
    }

    @Test("limits.timeout at its bounds is accepted")
    func runTimeoutBounds() throws {
        for (text, expected) in [("1ms", Duration.milliseconds(1)), ("168h", .seconds(7 * 24 * 3600))] {
            let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits: {timeout: \(text)}\n"])
            #expect(try fixture.load().agents.first?.definition.limits.timeout == expected)
        }
    }

    @Test("a provider timeout of 2562048h (past Int64 nanoseconds) is an error at its place")
    func hugeProviderTimeout() throws {
        let fixture = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  openai:\n    kind: openai\n    timeout: 2562048h\n")
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:4:14: 'timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got '2562048h'"
            ])
    }

    @Test("MCP server timeouts and the local provider's startup_timeout have the 24 h range")
    func mcpAndSettingTimeouts() throws {
        let fixture = try WorkspaceFixture(
            agents: Self.agent,
            workspace: """
                providers:
                  mine: {kind: local, startup_timeout: 25h}
                mcp_servers:
                  time: {command: mcp-server-time, startup_timeout: 1e12, timeout: 90000s}
                """)
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:2:40: 'startup_timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got '25h'",
                "WS/trellis.yaml:4:53: 'mcp_servers.time.startup_timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got '1e12'",
                "WS/trellis.yaml:4:68: 'mcp_servers.time.timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got '90000s'",
            ])
    }

    @Test("integers past their range, or too long for Int, are errors naming the range")
    func integerRanges() throws {
        let fixture = try WorkspaceFixture(
            agents: [
                "a": """
                model: {name: openai/gpt-4o, max_tokens: 99999999999999999999, n: 1000}
                limits: {max_turns: 10001, max_tool_calls: -1, max_tokens: 9223372036854775807, max_repeated_calls: 1}
                """
            ],
            workspace: "providers:\n  openai: {kind: openai, max_retries: 1000}\n")
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:2:39: 'max_retries' must be an integer from 0 to 100, got '1000'",
                "WS/agents/a.yaml:1:42: 'model.max_tokens' must be an integer from 1 to 10000000, got '99999999999999999999'",
                "WS/agents/a.yaml:1:67: 'model.n' must be an integer from 1 to 128, got '1000'",
                "WS/agents/a.yaml:2:21: 'limits.max_turns' must be an integer from 1 to 10000, got '10001'",
                "WS/agents/a.yaml:2:44: 'limits.max_tool_calls' must be an integer from 0 to 100000, got '-1'",
                "WS/agents/a.yaml:2:60: 'limits.max_tokens' must be an integer from 1 to 1000000000, got '9223372036854775807'",
                "WS/agents/a.yaml:2:101: 'limits.max_repeated_calls' must be an integer from 2 to 10000, got '1'",
            ])
    }

    @Test("limits.max_tool_calls_per_turn is read, and checked against its range")
    func toolCallsPerTurn() throws {
        let bad = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits: {max_tool_calls_per_turn: 0}\n"])
        #expect(
            bad.errors() == [
                "WS/agents/a.yaml:2:35: 'limits.max_tool_calls_per_turn' must be an integer from 1 to 10000, got '0'"
            ])
        let good = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits: {max_tool_calls_per_turn: 3}\n"])
        #expect(try good.load().agent(named: "a").definition.limits.maxToolCallsPerTurn == 3)
        let unset = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\n"])
        #expect(try unset.load().agent(named: "a").definition.limits.maxToolCallsPerTurn == 64)
    }

    @Test("a provider integer setting (ollama num_ctx) is checked against its range")
    func providerIntegerSetting() throws {
        let bad = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  box: {kind: ollama, num_ctx: 1e30}\n")
        #expect(bad.errors() == ["WS/trellis.yaml:2:32: 'num_ctx' must be an integer from 0 to 2147483647, got '1e30'"])
        let good = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  box: {kind: ollama, num_ctx: 8192}\n")
        #expect(try good.load().configuration.providers["box"]?.settings["num_ctx"] == .integer(8192))
    }

    @Test("limits.max_cost and model numbers must be finite and in range")
    func doubles() throws {
        let fixture = try WorkspaceFixture(agents: [
            "a": "model: {name: openai/gpt-4o, temperature: nan}\nlimits: {max_cost: 1e300}\n"
        ])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:1:43: 'model.temperature' must be a finite number, got 'nan'",
                "WS/agents/a.yaml:2:20: 'limits.max_cost' must be a number from 0 to 1000000, got '1e300'",
            ])
    }
}
