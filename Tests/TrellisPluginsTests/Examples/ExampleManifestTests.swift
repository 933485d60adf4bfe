import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// Every example in plugins/ has a manifest the runtime accepts, with the tools its README promises.
struct ExampleManifestTests {
    @Test(
        "each example's plugin.yaml loads and lists its tools",
        arguments: [("sqlite", ["tables", "query"]), ("units", ["convert"]), ("jsonq", ["query", "format"])])
    func manifests(name: String, tools: [String]) async throws {
        let plugin = try ExamplePlugins.plugin(name)
        #expect(plugin.manifest.name == name)
        #expect(plugin.manifest.tools.map(\.name) == tools)
        #expect(try await plugin.tools().map(\.definition.name) == tools)
    }
}
