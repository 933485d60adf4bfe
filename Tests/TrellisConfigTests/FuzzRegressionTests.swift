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
}
