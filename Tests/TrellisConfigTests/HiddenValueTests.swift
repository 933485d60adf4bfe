import Testing
import TrellisConfig

/// An error about a value that came from `${VAR}` quotes the text as written, never what the variable holds.
@Suite struct HiddenValueTests {
    static let secret = "sk-live-0123456789abcdef"

    @Test("a base_url from ${VAR} that is not a URL quotes ${VAR}, not the secret")
    func baseURL() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: mine/m\n"], workspace: "providers:\n  mine: {kind: openai, base_url: \"${KEY}\"}\n")
        let errors = fixture.errors(environment: ["KEY": Self.secret])
        #expect(
            errors == [
                "WS/trellis.yaml:2:34: 'base_url' must start with http:// or https://, got '${KEY}' (its value is hidden)"
            ])
        #expect(!errors.joined().contains(Self.secret))
    }

    @Test("numbers, durations, Booleans, names and rules from ${VAR} hide the value")
    func everyQuotedValue() throws {
        let fixture = try WorkspaceFixture(
            agents: [
                "a": """
                name: "${KEY}"
                model: "${KEY}"
                limits: {max_turns: "${KEY}", timeout: "x${KEY}"}
                approval: {default: "${KEY}"}
                tool_choice: "${KEY}"
                parallel_tool_calls: "${KEY}"
                """
            ])
        let errors = fixture.errors(environment: ["KEY": Self.secret])
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.contains("(its value is hidden)") })
        #expect(!errors.joined().contains(Self.secret))
    }

    @Test("a value written without ${VAR} is still quoted as it is")
    func plainValue() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: mine/m\n"], workspace: "providers:\n  mine: {kind: openai, base_url: ftp://x}\n")
        #expect(
            fixture.errors() == ["WS/trellis.yaml:2:34: 'base_url' must start with http:// or https://, got 'ftp://x'"])
    }
}

extension HiddenValueTests {
    @Test("a ${VAR:-default} whose variable is unset quotes the default, written in the file, as it is")
    func defaultValueIsShown() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: mine/m\n"],
            workspace: "providers:\n  mine: {kind: openai, base_url: \"${URL:-ftp://x}\"}\n")
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:2:34: 'base_url' must start with http:// or https://, got 'ftp://x'"
            ])
        #expect(fixture.errors(environment: ["URL": Self.secret]).first?.contains("(its value is hidden)") == true)
    }
}
