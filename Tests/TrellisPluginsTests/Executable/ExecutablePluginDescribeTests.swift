import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// `describe: true`: the tools come from `command args --describe`; listed tools win.
@Suite(.serialized) struct ExecutablePluginDescribeTests {
    @Test("described tools, with the listed definition winning on a shared name")
    func describedTools() async throws {
        let tools = try await PluginFixtures.plugin("describe").tools()
        #expect(
            tools.map(\.definition) == [
                ToolDefinition(
                    name: "whisper", description: "Says it quietly",
                    parameters: [
                        "type": "object", "properties": ["text": ["type": "string"]], "required": ["text"],
                    ]),
                ToolDefinition(
                    name: "shout", description: "The listed description wins over the described one",
                    parameters: ["type": "object", "properties": ["text": ["type": "string"]]]),
            ])
        let output = try await tools[0].execute(arguments: ["text": "psst"], context: PluginFixtures.context)
        #expect(output == ToolOutput("ok"))
    }

    @Test("without describe the listed tools are used and the program is not asked")
    func listedOnly() async throws {
        let plugin = try PluginFixtures.plugin("crash")
        #expect(try await plugin.tools().map(\.definition.name) == ["run"])
    }

    @Test("a failing --describe throws an error naming plugin, cause and stderr")
    func describeCrash() async throws {
        let plugin = try PluginFixtures.plugin("crash") { $0.describe = true }
        await #expect(
            throws: ExecutablePluginError(
                plugin: "crash",
                message:
                    "--describe: exited with status 3\nstderr:\ncrash: opening units.db\n"
                    + "crash: cannot open units.db: no such file")
        ) { try await plugin.tools() }
    }

    @Test("--describe has the manifest's deadline")
    func describeHang() async throws {
        let pids = FixturePIDs()
        let plugin = try PluginFixtures.plugin("hang", timeout: .milliseconds(300), pids: pids) { $0.describe = true }
        let error = await #expect(throws: ExecutablePluginError.self) { try await plugin.tools() }
        #expect(
            error?.description
                == "plugin 'hang': --describe: timed out after 300ms (its process group got SIGTERM, then SIGKILL "
                + "after 200ms)\nstderr:\nhang: thinking forever")
        #expect(await pids.allGone())
    }

    @Test("a --describe reply that is not a tool list is refused")
    func describeNonsense() async throws {
        let plugin = try PluginFixtures.plugin("wrong-call-id") { $0.describe = true }
        let error = await #expect(throws: ExecutablePluginError.self) { try await plugin.tools() }
        #expect(
            error?.description
                == #"plugin 'wrong-call-id': --describe: the reply has no "tools" list ({"protocol": 1, "tools": [...]})"#
        )
    }
}
