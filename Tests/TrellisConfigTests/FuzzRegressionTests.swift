import Testing
import TrellisConfig
import TrellisCore
import TrellisProviders
import TrellisTesting

/// Inputs the `agent` and `workspace` fuzz targets (`fuzz/`) crashed the loaders with, replayed through the same
/// entry points.
@Suite struct ConfigFuzzRegressionTests {
    /// A duration beyond Int64 milliseconds (or `inf`) trapped converting to Int64; it is a problem at its place.
    @Test func durationsBeyondInt64AreProblems() throws {
        let workspace = DefinitionParsing.workspace(
            try FuzzRegression.text("workspace", "duration-beyond-int64"), providerKinds: ProviderFactory.kinds,
            toolNames: [])
        #expect(
            workspace.problems.map(\.description) == [
                "trellis.yaml:4:14: 'mcp_servers.time.timeout' must be a duration from 1ms to 24h such as 30s, 500ms"
                    + " or 2m, got '50018446744073709551616ms'",
                "trellis.yaml:5:22: 'mcp_servers.time.startup_timeout' must be a duration from 1ms to 24h such as 30s,"
                    + " 500ms or 2m, got 'infs'",
            ])
        let found = DefinitionParsing.workspace(
            try FuzzRegression.text("workspace", "duration-beyond-int64-found"), providerKinds: ProviderFactory.kinds,
            toolNames: [])
        #expect(found.problems.contains { $0.line == 7 && $0.message.contains("must be a duration from") })
        let agent = DefinitionParsing.agent(try FuzzRegression.text("agent", "duration-beyond-int64"))
        #expect(agent.problems.map(\.line) == [2])
        #expect(agent.problems.first?.message.contains("must be a duration from") == true)
    }

    /// `provider:` followed by a comment is null, which read as an empty provider: an agent without problems and
    /// without a model. An empty provider or name is a problem at its place, reported once.
    @Test func emptyModelProviderOrNameIsAProblem() throws {
        let agent = DefinitionParsing.agent(try FuzzRegression.text("agent", "null-model-provider"))
        #expect(
            agent.problems.map(\.description) == [
                "agents/fuzz.yaml:3:12: 'model.provider' is empty; name a provider such as openai or ollama"
            ])
        let emptyName = DefinitionParsing.agent("model:\n  provider: openai\n  name: ''\n")
        #expect(
            emptyName.problems.map(\.description) == [
                "agents/fuzz.yaml:3:9: 'model.name' is empty; give a model id such as gpt-4o-mini"
            ])
        let interpolated = DefinitionParsing.agent(
            "model: {provider: '${EMPTY}', name: gpt-4o}\n", environment: ["EMPTY": ""])
        #expect(
            interpolated.problems.map(\.message) == [
                "'model.provider' is empty; name a provider such as openai or ollama"
            ])
    }
}

/// Files whose mappings repeat keys that are lists or mappings: Yams names such repeats in hash-seed order, so
/// two loads in one process gave two problems (the `agent`, `workspace` and `plugin` targets' "loading twice" check).
@Suite struct DuplicateKeyRegressionTests {
    /// Loads `text` many times, with allocations in between that move where Yams's dictionaries land.
    private func loads<Result: Equatable>(_ load: () -> Result) -> [Result] {
        (0..<40).map { round in
            let ballast = (0..<round).map { [$0: String($0)] }
            defer { _ = ballast.count }
            return load()
        }
    }

    @Test func agentFileGivesOneProblemEveryTime() throws {
        let text = try FuzzRegression.text("agent", "duplicate-complex-keys")
        let problems = Set(loads { DefinitionParsing.agent(text).problems.map(\.description) })
        #expect(problems.count == 1)
        #expect(
            problems.first == [
                "agents/fuzz.yaml:10:5: duplicate key 'a mapping' (first at 7:5); this mapping also repeats '-{m"
                    + String(repeating: "\u{FFFD}", count: 15) + "ls'"
            ])
    }

    /// Keys Yams finds repeated where the finder does not (it compares by resolved tag): the problem is the
    /// file's, the same every time.
    @Test func yamsOnlyDuplicatesGiveOneProblemEveryTime() throws {
        let text = try FuzzRegression.text("agent", "duplicate-keys-yams-disagrees")
        let problems = Set(loads { DefinitionParsing.agent(text).problems.map(\.description) })
        #expect(problems.count == 1)
        #expect(problems.first?.count == 1)
        #expect(
            problems.first?.first?.contains("duplicate key") == true
                || problems.first?.first?.contains("a mapping repeats keys: ") == true)
    }

    /// `&anchor:` with no key is an empty key: a provider without a name.
    @Test func anEmptyKeyIsAProblem() throws {
        let workspace = DefinitionParsing.workspace(
            try FuzzRegression.text("workspace", "empty-provider-name"), providerKinds: ProviderFactory.kinds,
            toolNames: [])
        #expect(
            workspace.problems.map(\.description) == ["trellis.yaml:2:3: a key in 'providers' is empty; give it a name"]
        )
        #expect(workspace.configuration.providers[""] == nil)
    }

    @Test func workspaceFileGivesOneProblemEveryTime() throws {
        let text = try FuzzRegression.text("workspace", "duplicate-complex-keys")
        let problems = Set(
            loads {
                DefinitionParsing.workspace(text, providerKinds: ProviderFactory.kinds, toolNames: []).problems.map(
                    \.description)
            })
        #expect(problems.count == 1)
        #expect(problems.first?.first?.contains(": duplicate key") == true)
    }

    @Test func pluginFileGivesOneProblemEveryTime() throws {
        let text = try FuzzRegression.text("plugin", "duplicate-complex-keys")
        let problems = Set(
            loads { () -> [String] in
                do throws(DefinitionErrors) {
                    _ = try DefinitionParsing.plugin(text)
                    return []
                } catch {
                    return error.errors.map(\.description)
                }
            })
        #expect(
            problems == [
                [
                    "/nonexistent/plugins/fuzz/plugin.yaml:6:1: duplicate key 'carrayd' (first at 2:1); this mapping"
                        + " also repeats 'tools(', 'a list', 'ers~\u{FFFD}\u{FFFD}\u{FFFD}ype'"
                ]
            ])
    }

    /// A plain repeated key is placed at its second occurrence, and names the first.
    @Test func plainRepeatIsPlacedAtTheRepeat() {
        let problems = DefinitionParsing.agent("name: a\nmodel: openai/gpt-4o\ntools: []\nname: b\n").problems
        #expect(problems.map(\.description) == ["agents/fuzz.yaml:4:1: duplicate key 'name' (first at 1:1)"])
    }
}
