import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// The `--workspace` option shared by every command, and what it loads.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .customLong("workspace"), help: "The workspace folder (trellis.yaml, agents/).")
    var root: String = "."

    /// The tools this build knows.
    var registry: ToolRegistry { BuiltinTools.registry }

    /// Loads the workspace, with extra agent files; definition errors exit 2, one line each.
    func load(extraAgentFiles: [String] = []) throws -> Workspace {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIFailure.invalid("workspace '\(root)' is not a folder")
        }
        do {
            return try Workspace.load(
                root: root, environment: ProcessInfo.processInfo.environment, toolNames: registry.names,
                providerKinds: ProviderFactory.kinds, extraAgentFiles: extraAgentFiles)
        } catch {
            throw CLIFailure.invalid(error.description)
        }
    }

    /// Whether an AGENT argument names a file rather than an agent.
    static func isPath(_ agent: String) -> Bool {
        agent.contains("/") || agent.hasSuffix(".yaml") || agent.hasSuffix(".yml")
    }

    /// Finds the agent named or pointed to by an AGENT argument.
    func agent(_ argument: String, in workspace: Workspace) throws -> AgentFile {
        if Self.isPath(argument) {
            let target = URL(fileURLWithPath: argument).standardizedFileURL.resolvingSymlinksInPath().path
            if let file = workspace.agents.first(where: {
                URL(fileURLWithPath: $0.path).standardizedFileURL.resolvingSymlinksInPath().path == target
            }) {
                return file
            }
            throw CLIFailure.invalid("\(argument): no such agent file")
        }
        do {
            return try workspace.agent(named: argument)
        } catch {
            throw CLIFailure.invalid(error.description)
        }
    }

    /// Builds an agent's tools from the registry and the workspace's tool settings.
    func tools(for agent: AgentDefinition, in workspace: Workspace) throws -> [any ToolExecutor] {
        try agent.tools.map { reference in
            guard let factory = registry[reference.name] else {
                throw CLIFailure.invalid("agent '\(agent.name)': unknown tool '\(reference.name)'")
            }
            let settings = workspace.configuration.toolSettings[reference.name]
            do {
                return try factory.make(
                    ToolSetup(settings: settings?.values ?? JSONObject(), workspaceRoot: workspace.root))
            } catch {
                let place = settings?.place ?? (workspace.root as NSString).appendingPathComponent("trellis.yaml")
                throw CLIFailure.invalid("\(place): \(error)")
            }
        }
    }

    /// Builds what an agent talks to: its model and fallbacks as a ``ModelChain``, priced from each provider's
    /// `pricing:` table.
    func provider(for agent: AgentDefinition, in workspace: Workspace) throws -> any ModelProvider {
        let links = try agent.model.chain.map { model in
            guard let configuration = workspace.configuration.providers[model.provider] else {
                throw CLIFailure.invalid("agent '\(agent.name)': unknown provider '\(model.provider)'")
            }
            do {
                return ModelChain.Link(
                    model: model, provider: try ProviderFactory.make(configuration),
                    pricing: configuration.pricing[model.name])
            } catch {
                throw CLIFailure.invalid("\(error)")
            }
        }
        return ModelChain(links: links)
    }
}
