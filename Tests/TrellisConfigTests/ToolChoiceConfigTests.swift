import Testing
import TrellisConfig
import TrellisCore

/// `tool_choice` as one choice or a list of them (one per turn), and `stop_at_tools`.
@Suite struct ToolChoiceConfigTests {
    @Test func aListOfChoicesAndStopAtToolsAreRead() throws {
        let yaml = """
            model: openai/m
            tools: [calculator, clock]
            tool_choice: [{function: calculator}, required, none]
            stop_at_tools: [calculator]
            """
        let agent = try WorkspaceFixture(agents: ["a": yaml]).load().agent(named: "a").definition
        #expect(agent.toolChoices == [.function("calculator"), .required, .none])
        #expect(agent.stopAtTools == ["calculator"])
        #expect(agent.toolChoice(forTurn: 1) == .function("calculator"))
        #expect(agent.toolChoice(forTurn: 5) == ToolChoice.none)
    }

    @Test func aSingleChoiceIsAListOfOne() throws {
        let agent = try WorkspaceFixture(agents: ["a": "model: openai/m\ntools: [clock]\ntool_choice: required\n"])
            .load().agent(named: "a").definition
        #expect(agent.toolChoices == [.required])
        #expect(agent.stopAtTools == [])
    }

    @Test func badListsAreErrorsAtTheirPlace() throws {
        let empty = try WorkspaceFixture(agents: ["a": "model: openai/m\ntool_choice: []\nstop_at_tools: []\n"])
        #expect(
            empty.errors() == [
                "WS/agents/a.yaml:2:14: 'tool_choice' as a list needs at least one choice (one per turn; the last "
                    + "holds for later turns)",
                "WS/agents/a.yaml:3:16: 'stop_at_tools' lists the tools whose result ends the run; it cannot be empty",
            ])
        let yaml = """
            model: openai/m
            tools: [calculator]
            tool_choice: [auto, sometimes, [none]]
            stop_at_tools: [calculator, calculator]
            """
        #expect(
            try WorkspaceFixture(agents: ["a": yaml]).errors() == [
                "WS/agents/a.yaml:3:21: 'tool_choice' must be auto, none, required or {function: NAME}, got 'sometimes'",
                "WS/agents/a.yaml:3:32: a 'tool_choice' list entry must be auto, none, required or {function: NAME}, "
                    + "got a list",
                "WS/agents/a.yaml:4:29: tool 'calculator' is listed twice in 'stop_at_tools' (first at 4:17)",
            ])
    }

    @Test func namesOfMissingToolsAreErrorsAtTheName() throws {
        let yaml = """
            model: openai/m
            tools: [clock]
            tool_choice: {function: calculator}
            stop_at_tools: [clok]
            """
        #expect(
            try WorkspaceFixture(agents: ["a": yaml]).errors() == [
                "WS/agents/a.yaml:3:25: 'tool_choice' forces tool 'calculator', which the agent does not have; "
                    + "its tools: clock",
                "WS/agents/a.yaml:4:17: 'stop_at_tools' names tool 'clok', which the agent does not have "
                    + "(did you mean 'clock'?); its tools: clock",
            ])
    }

    @Test func namesAnMCPServerMayOfferAreLeftToTheDeepCheck() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: openai/m\ntools: [clock, {mcp: time}]\ntool_choice: {function: get_current_time}\n"],
            workspace: "mcp_servers:\n  time: {command: mcp-server-time}\n")
        #expect(fixture.errors() == [])
    }
}
