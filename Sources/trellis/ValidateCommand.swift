import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins

extension Trellis {
    /// `trellis validate [PATHS] [--deep]`.
    struct Validate: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract:
                "Check trellis.yaml, agent files and plugin manifests (their programs included); print every problem as path:line:column: message.",
            discussion: """
                Every problem of every file is reported in one run. --deep also starts each MCP server an agent uses \
                and runs --describe of plugins that describe themselves, and checks allow: lists, tool_choice and \
                stop_at_tools against the tools they offer; the servers are stopped before validate exits.
                """
        )

        @OptionGroup var workspace: WorkspaceOptions

        @Flag(
            help:
                "Also start the MCP servers agents use and run plugins' --describe, to check tool names only they know."
        )
        var deep = false

        @Argument(help: "Agent files or folders to check besides the workspace's agents/.")
        var paths: [String] = []

        func run() async throws {
            var files: [String] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CLIFailure.invalid("\(path): no such file or folder")
                }
                files += isDirectory.boolValue ? Workspace.agentFiles(in: path) : [path]
            }
            let loaded = try workspace.load(extraAgentFiles: files)
            guard !loaded.agents.isEmpty else {
                let folder = (workspace.root as NSString).appendingPathComponent("agents")
                throw CLIFailure.invalid(
                    "\(folder): no agents in workspace '\(workspace.root)'; an agent is a file agents/NAME.yaml "
                        + "(for example agents/assistant.yaml holding 'model: openai/gpt-4o-mini')")
            }
            let environment = ProcessInfo.processInfo.environment
            var problems: [String] = []
            for plugin in loaded.plugins {
                do {
                    _ = try PluginManifest.load(folder: plugin.folder, environment: environment)
                } catch {
                    problems += error.errors.map(\.description)
                }
            }
            let toolbox = AgentToolbox(
                workspace: loaded, registry: workspace.registry, environment: environment, mcp: nil)
            problems += toolbox.checkToolSettings().map(\.message)
            if deep {
                problems += try await MCPServerPool.withPool(loaded.resolvedMCPServers, environment: environment) {
                    pool in
                    await AgentToolbox(
                        workspace: loaded, registry: workspace.registry, environment: environment, mcp: pool
                    ).deepCheck()
                }
            }
            guard problems.isEmpty else { throw CLIFailure.invalid(problems.joined(separator: "\n")) }
            let count = loaded.agents.count
            Output.out("ok: \(count) agent\(count == 1 ? "" : "s") valid\(deep ? " (deep)" : "")\n")
        }
    }
}
