import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins

extension Trellis {
    /// `trellis validate [PATHS]`.
    struct Validate: TrellisCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check trellis.yaml, agent files and plugin manifests (their programs included); print every problem as path:line:column: message."
        )

        @OptionGroup var workspace: WorkspaceOptions

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
            var problems: [String] = []
            let toolbox = AgentToolbox(
                workspace: loaded, registry: workspace.registry, environment: ProcessInfo.processInfo.environment,
                mcp: nil)
            for plugin in loaded.plugins {
                do {
                    _ = try PluginManifest.load(folder: plugin.folder, environment: ProcessInfo.processInfo.environment)
                } catch {
                    problems += error.errors.map(\.description)
                }
            }
            for file in loaded.agents {
                do {
                    try toolbox.checkBuiltinSettings(of: file)
                } catch {
                    problems.append(error.message)
                }
            }
            guard problems.isEmpty else { throw CLIFailure.invalid(problems.joined(separator: "\n")) }
            let count = loaded.agents.count
            Output.out("ok: \(count) agent\(count == 1 ? "" : "s") valid\n")
        }
    }
}
