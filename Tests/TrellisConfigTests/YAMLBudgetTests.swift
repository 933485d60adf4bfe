import Foundation
import Testing
import TrellisConfig

/// Files are bounded before they are read: size, nesting depth and nodes after alias expansion.
@Suite struct YAMLBudgetTests {
    @Test("a billion-laughs agent file fails with the alias limit at the alias that passes it")
    func aliasBombAgent() throws {
        // Under `model.extra` the value is read whole, so without the check every expanded value would be walked.
        let fixture = try WorkspaceFixture(agents: [
            "a": "model:\n  name: openai/gpt-4o\n  extra:\n" + AliasBomb.text(indent: 4)
        ])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:9:13: the aliases in this file expand to more than 100000 values (a 'billion laughs' "
                    + "file?); the alias '*e' here goes past the limit"
            ])
    }

    @Test("a billion-laughs trellis.yaml fails the same way, and agents still load their own problems")
    func aliasBombWorkspace() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\n"], workspace: AliasBomb.text)
        let errors = fixture.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("WS/trellis.yaml:6:9: the aliases in this file expand") == true)
    }

    @Test("a file with a few aliases still loads")
    func normalAliases() throws {
        let fixture = try WorkspaceFixture(
            agents: [
                "a": "model: &m openai/gpt-4o\nparams:\n  x: &p {default: one}\n  y: *p\nsystem: \"{{x}}{{y}}\"\n"
            ],
            workspace: "defaults: {model: openai/gpt-4o}\n")
        let agent = try #require(try fixture.load().agents.first)
        #expect(agent.params.map(\.name) == ["x", "y"])
    }

    @Test("nesting deeper than 64 levels is an error at the list that goes past")
    func deepNesting() throws {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nextra: \(deep)\n"])
        #expect(fixture.errors() == ["WS/agents/a.yaml:2:71: mappings and lists nest more than 64 levels deep here"])
    }

    @Test("a file over 1 MiB is not parsed")
    func oversized() throws {
        let padding = String(repeating: "# padding\n", count: 110_000)
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\n" + padding])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml: the file is 1100021 bytes; files over 1048576 bytes (1 MiB) are not read"
            ])
    }

    @Test("a flat file of more than 100000 values fails too")
    func tooManyValues() throws {
        let list = Array(repeating: "1", count: 100_001).joined(separator: ",")
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nx: [\(list)]\n"])
        let errors = fixture.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.contains("the file holds more than 100000 values") == true)
    }
}
