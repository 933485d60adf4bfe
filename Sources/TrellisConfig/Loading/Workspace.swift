import Foundation
import TrellisCore

/// A workspace: a folder with an optional `trellis.yaml` and agents in `agents/*.yaml`.
///
/// ```swift
/// let workspace = try Workspace.load(root: ".", environment: ProcessInfo.processInfo.environment,
///                                    toolNames: registry.names, providerKinds: ProviderFactory.kinds)
/// let agent = try workspace.agent(named: "assistant").resolved()
/// ```
public struct Workspace: Sendable {
    /// The workspace folder.
    public var root: String
    /// `trellis.yaml`, or the defaults when there is none.
    public var configuration: WorkspaceConfiguration
    /// The agents, sorted by name.
    public var agents: [AgentFile]
    /// The executable plugins in `plugins/*/plugin.yaml`, sorted by name.
    public var plugins: [PluginManifest] = []

    /// The plugin with this name.
    public func plugin(named name: String) -> PluginManifest? { plugins.first { $0.name == name } }

    /// The agent with this name.
    ///
    /// - Throws: ``DefinitionError`` naming the known agents, with a did-you-mean hint.
    public func agent(named name: String) throws(DefinitionError) -> AgentFile {
        if let agent = agents.first(where: { $0.definition.name == name }) { return agent }
        let names = agents.map(\.definition.name)
        throw DefinitionError(
            file: (root as NSString).appendingPathComponent("agents"), line: 0, column: 0,
            message: "no agent named '\(name)'\(Suggestions.hint(for: name, in: names)); agents: "
                + (names.isEmpty ? "none" : names.joined(separator: ", ")))
    }

    /// Loads a workspace and checks every agent against it.
    ///
    /// - Parameters:
    ///   - root: The workspace folder.
    ///   - environment: Variables for `${VAR}` substitution and built-in provider keys.
    ///   - toolNames: The tool names agents may list.
    ///   - toolSettingKeys: The settings each tool takes (``TrellisCore/ToolRegistry/settingKeys``); a `tools:`
    ///     block of `trellis.yaml` with another key is a problem, also when no agent uses the tool.
    ///   - providerKinds: The provider kinds `trellis.yaml` may use; each also gives a built-in provider.
    ///   - extraAgentFiles: Further agent files to load with the workspace's (for `trellis run path.yaml`).
    /// - Throws: ``DefinitionErrors`` with every problem found, each at `path:line:column`.
    public static func load(
        root: String, environment: [String: String], toolNames: [String], toolSettingKeys: [String: [String]] = [:],
        providerKinds: [ProviderKind], extraAgentFiles: [String] = []
    ) throws(DefinitionErrors) -> Workspace {
        var errors: [DefinitionError] = []
        let configPath = (root as NSString).appendingPathComponent("trellis.yaml")
        var configuration = WorkspaceConfiguration(
            providers: WorkspaceConfiguration.builtinProviders(environment: environment, kinds: providerKinds))
        var configurationLoaded = true
        var brokenMCPServers: [String] = []
        if FileManager.default.fileExists(atPath: configPath) {
            do {
                let text = try readText(configPath)
                let reader = YAMLReader(file: configPath, environment: environment)
                let loaded = WorkspaceConfigurationLoader(reader: reader, kinds: providerKinds).load(
                    text, toolNames: toolNames, toolSettingKeys: toolSettingKeys)
                configuration = loaded.configuration
                errors += loaded.problems
                configurationLoaded = loaded.problems.isEmpty
                brokenMCPServers = loaded.brokenMCPServers
            } catch {
                errors.append(error)
                configurationLoaded = false
            }
        }
        var plugins: [PluginManifest] = []
        var brokenPlugins: [String] = []
        for folder in pluginFolders(in: (root as NSString).appendingPathComponent("plugins")) {
            do {
                plugins.append(try PluginManifest.load(folder: folder, environment: environment, checkCommand: false))
            } catch {
                errors += error.errors
                brokenPlugins.append((folder as NSString).lastPathComponent)
            }
        }
        var paths = agentFiles(in: (root as NSString).appendingPathComponent("agents"))
        for extra in extraAgentFiles where !paths.contains(where: { samePath($0, extra) }) { paths.append(extra) }
        var agents: [AgentFile] = []
        var checked: [AgentFile] = []
        for path in paths {
            let text: String
            do {
                text = try readText(path)
            } catch {
                errors.append(error)
                continue
            }
            let reader = YAMLReader(file: path, environment: environment)
            let loader = AgentLoader(reader: reader, defaultModel: configuration.defaultModel)
            let (file, problems) = loader.load(text, path: path)
            errors += problems
            // An agent with problems is still cross-checked, so one pass reports all of its file's problems.
            guard let file else { continue }
            checked.append(file)
            if problems.isEmpty { agents.append(file) }
        }
        // When trellis.yaml itself is broken, its providers are unknown: checking agents against them would only
        // repeat that error as "unknown provider" lines.
        errors += crossCheck(
            checked, configuration: configuration, toolNames: toolNames, plugins: plugins,
            broken: Broken(plugins: brokenPlugins, mcpServers: brokenMCPServers), checkProviders: configurationLoaded)
        errors += routeProblems(checked, configuration: configuration, kinds: providerKinds)
        guard errors.isEmpty else { throw DefinitionErrors(inFileOrder(errors)) }
        return Workspace(
            root: root, configuration: configuration, agents: agents.sorted { $0.definition.name < $1.definition.name },
            plugins: plugins)
    }

    /// Problems grouped by file (files in the order they were first reported), each file's in line order.
    private static func inFileOrder(_ errors: [DefinitionError]) -> [DefinitionError] {
        var files: [String] = []
        for error in errors where !files.contains(error.file) { files.append(error.file) }
        return files.flatMap { file in YAMLReader.inFileOrder(errors.filter { $0.file == file }) }
    }

    /// The `.yaml` and `.yml` files of a folder, sorted; none if it does not exist.
    public static func agentFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
            (directory as NSString).appendingPathComponent($0)
        }
    }

    /// The subfolders of `plugins/` that hold a `plugin.yaml`, sorted; none if there is no such folder.
    public static func pluginFolders(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { (directory as NSString).appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("plugin.yaml"))
        }
    }

    /// Plugins and MCP servers whose definitions are broken: reported once, not again by each agent using them.
    private struct Broken {
        var plugins: [String]
        var mcpServers: [String]

        func contains(_ tool: ToolReference) -> Bool {
            switch tool.source {
            case .builtin: false
            case .plugin: plugins.contains(tool.name)
            case .mcp: mcpServers.contains(tool.name)
            }
        }
    }

    private static func crossCheck(
        _ agents: [AgentFile], configuration: WorkspaceConfiguration, toolNames: [String], plugins: [PluginManifest],
        broken: Broken, checkProviders: Bool
    ) -> [DefinitionError] {
        var errors: [DefinitionError] = []
        var seen: [String: AgentFile] = [:]
        let providers = configuration.providers.keys.sorted()
        for agent in agents {
            let name = agent.definition.name
            if let first = seen[name] {
                errors.append(
                    agent.namePlace.with(
                        "duplicate agent name '\(name)' (also defined in \(first.path))", file: agent.path))
            } else {
                seen[name] = agent
            }
            // An empty provider is a model that is missing or broken, which the loader has reported.
            for (index, model) in agent.definition.model.chain.enumerated()
            where checkProviders && !model.provider.isEmpty {
                let provider = model.provider
                guard configuration.providers[provider] == nil else { continue }
                let role = index == 0 ? "" : " in fallback model '\(model)'"
                errors.append(
                    agent.modelPlace.with(
                        "unknown provider '\(provider)'\(role)\(Suggestions.hint(for: provider, in: providers)); "
                            + "configured: \(providers.joined(separator: ", ")) (declare it under providers: in trellis.yaml)",
                        file: agent.path))
            }
            var toolsKnown = agent.toolsComplete
            for (tool, place) in zip(agent.definition.tools, agent.toolPlaces) {
                if broken.contains(tool) {
                    toolsKnown = false
                } else if let problem = problem(
                    with: tool, configuration: configuration, toolNames: toolNames, plugins: plugins)
                {
                    errors.append(place.with(problem, file: agent.path))
                    toolsKnown = false
                }
            }
            if toolsKnown, let names = staticToolNames(of: agent, plugins: plugins) {
                errors += missingTools(of: agent, among: names)
            }
        }
        return errors
    }

    /// The names of the agent's tools as the model sees them, when they are all known without running anything:
    /// `nil` when it uses an MCP server or a plugin that describes itself.
    private static func staticToolNames(of agent: AgentFile, plugins: [PluginManifest]) -> [String]? {
        var names: [String] = []
        for tool in agent.definition.tools {
            switch tool.source {
            case .builtin:
                names.append(tool.name)
            case .mcp:
                return nil
            case .plugin:
                guard let plugin = plugins.first(where: { $0.name == tool.name }), !plugin.describe else { return nil }
                for offered in plugin.tools.map(\.name) where tool.allow?.contains(offered) ?? true {
                    // As the toolbox does: a plugin's tool whose name is taken is offered as PLUGIN_TOOL.
                    names.append(names.contains(offered) ? "\(tool.name)_\(offered)" : offered)
                }
            }
        }
        return names
    }

    /// A problem for each forced `tool_choice` and each `stop_at_tools` name that is not one of the agent's tools.
    ///
    /// - Parameters:
    ///   - agent: The agent.
    ///   - names: Every tool the agent has, named as the model sees them.
    public static func missingTools(of agent: AgentFile, among names: [String]) -> [DefinitionError] {
        var errors: [DefinitionError] = []
        for (index, choice) in agent.definition.toolChoices.enumerated() {
            guard case .function(let name) = choice, !names.contains(name) else { continue }
            errors.append(agent.missingTool(name, at: .toolChoice(index), tools: names))
        }
        for (index, name) in agent.definition.stopAtTools.enumerated() where !names.contains(name) {
            errors.append(agent.missingTool(name, at: .stopAtTool(index), tools: names))
        }
        return errors
    }

    /// What is wrong with one entry of an agent's `tools:`, if anything.
    private static func problem(
        with tool: ToolReference, configuration: WorkspaceConfiguration, toolNames: [String], plugins: [PluginManifest]
    ) -> String? {
        switch tool.source {
        case .builtin:
            guard !toolNames.contains(tool.name) else { return nil }
            return "unknown tool '\(tool.name)'\(Suggestions.hint(for: tool.name, in: toolNames)); available: "
                + toolNames.joined(separator: ", ") + " (or {plugin: NAME}, {mcp: NAME})"
        case .mcp:
            guard configuration.mcpServers[tool.name] == nil else { return nil }
            let servers = configuration.mcpServers.keys.sorted()
            return "unknown MCP server '\(tool.name)'\(Suggestions.hint(for: tool.name, in: servers)); declared: "
                + (servers.isEmpty ? "none" : servers.joined(separator: ", "))
                + " (declare it under mcp_servers: in trellis.yaml)"
        case .plugin:
            guard let plugin = plugins.first(where: { $0.name == tool.name }) else {
                let names = plugins.map(\.name)
                return "unknown plugin '\(tool.name)'\(Suggestions.hint(for: tool.name, in: names)); plugins: "
                    + (names.isEmpty ? "none" : names.joined(separator: ", "))
                    + " (a plugin is plugins/NAME/plugin.yaml)"
            }
            // Tools that come from --describe are only known when the plugin runs.
            guard !plugin.describe else { return nil }
            let offered = plugin.tools.map(\.name)
            for name in tool.allow ?? [] where !offered.contains(name) {
                return "plugin '\(plugin.name)' has no tool '\(name)'\(Suggestions.hint(for: name, in: offered)); "
                    + "it offers: \(offered.joined(separator: ", "))"
            }
            return nil
        }
    }

    static func readText(_ path: String) throws(DefinitionError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DefinitionError(file: path, line: 0, column: 0, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DefinitionError(file: path, line: 0, column: 0, message: "the file is not UTF-8 text")
        }
        return text
    }

    private static func samePath(_ lhs: String, _ rhs: String) -> Bool {
        (lhs as NSString).standardizingPath == (rhs as NSString).standardizingPath
            || URL(fileURLWithPath: lhs).resolvingSymlinksInPath().path
                == URL(fileURLWithPath: rhs).resolvingSymlinksInPath().path
    }
}

extension DefinitionError {
    func with(_ message: String, file: String) -> DefinitionError {
        DefinitionError(file: file, line: line, column: column, message: message)
    }
}
