import TrellisCore
import Yams

/// The workspace file `trellis.yaml`: providers, defaults and tool settings.
public struct WorkspaceConfiguration: Sendable {
    /// Providers by name, the built-in ones included.
    public var providers: [String: ProviderConfiguration]
    /// The model for agents that name none (`provider/model-id`).
    public var defaultModel: String?
    /// Settings per tool name (`tools.http_get`), with where they were written.
    public var toolSettings: [String: ToolSettings]
    /// MCP stdio servers by name (`mcp_servers:`).
    public var mcpServers: [String: MCPServerSettings]

    /// One `tools.<name>` block.
    public struct ToolSettings: Sendable {
        /// The settings.
        public var values: JSONObject
        /// `path:line:column` of the block, for errors the tool reports about it.
        public var place: String
    }

    /// Creates a configuration.
    public init(
        providers: [String: ProviderConfiguration] = [:], defaultModel: String? = nil,
        toolSettings: [String: ToolSettings] = [:], mcpServers: [String: MCPServerSettings] = [:]
    ) {
        self.providers = providers
        self.defaultModel = defaultModel
        self.toolSettings = toolSettings
        self.mcpServers = mcpServers
    }

    /// Providers usable without `trellis.yaml`: one per kind, named after it, configured from the environment
    /// (`OPENAI_API_KEY`, `YANDEX_API_KEY` + `YANDEX_FOLDER_ID`, ...).
    public static func builtinProviders(
        environment: [String: String], kinds: [ProviderKind]
    ) -> [String: ProviderConfiguration] {
        Dictionary(kinds.map { ($0.name, $0.builtinProvider(environment: environment)) }) { first, _ in first }
    }
}

/// Reads `trellis.yaml`, collecting every problem in it: a broken entry is skipped, the others are still read.
struct WorkspaceConfigurationLoader {
    let reader: YAMLReader
    let kinds: [ProviderKind]

    /// What reading the file gave: the configuration of every entry that was read, and the problems, in file order.
    struct Loaded {
        var configuration: WorkspaceConfiguration
        var problems: [DefinitionError] = []
        /// Declared MCP servers whose entries are broken, so agents using them need not be told they are unknown.
        var brokenMCPServers: [String] = []
    }

    /// Reads the file.
    ///
    /// - Parameters:
    ///   - toolNames: The tools `tools:` may hold settings for.
    ///   - toolSettingKeys: The settings each tool takes, by tool name; a tool not in it is not checked.
    func load(_ text: String, toolNames: [String], toolSettingKeys: [String: [String]] = [:]) -> Loaded {
        var loaded = Loaded(
            configuration: WorkspaceConfiguration(
                providers: WorkspaceConfiguration.builtinProviders(environment: reader.environment, kinds: kinds)))
        var problems: [DefinitionError] = []
        do throws(DefinitionError) {
            guard let root = try reader.compose(text) else { return loaded }
            let allowed = ConfigSchema.keys(ConfigSchema.workspace(providerKinds: kinds))
            for member in try reader.mapping(root, allowed: allowed, what: "trellis.yaml", problems: &problems) {
                reader.collect(&problems) { () throws(DefinitionError) in
                    try read(member, into: &loaded, toolNames: toolNames, toolSettingKeys: toolSettingKeys)
                }
            }
        } catch {
            problems.append(error)
        }
        loaded.problems = YAMLReader.inFileOrder(problems + loaded.problems)
        return loaded
    }

    private func read(
        _ member: YAMLReader.Member, into loaded: inout Loaded, toolNames: [String],
        toolSettingKeys: [String: [String]]
    ) throws(DefinitionError) {
        switch member.key {
        case "providers":
            for entry in try reader.mapping(member.value, allowed: [], what: "'providers'") {
                do throws(DefinitionError) {
                    loaded.configuration.providers[entry.key] = try readProvider(
                        name: entry.key, entry.value, problems: &loaded.problems)
                } catch {
                    loaded.problems.append(error)
                }
            }
        case "defaults":
            for entry in try reader.mapping(
                member.value, allowed: ["model"], what: "'defaults'", problems: &loaded.problems)
            {
                loaded.configuration.defaultModel = try reader.string(entry.value, field: "defaults.model")
            }
        case "mcp_servers":
            for entry in try reader.mapping(member.value, allowed: [], what: "'mcp_servers'") {
                do throws(DefinitionError) {
                    guard AgentLoader.isValidName(entry.key) else {
                        throw reader.error(
                            at: entry.keyNode, "MCP server names may hold letters, digits, '-', '_' and '.'")
                    }
                    loaded.configuration.mcpServers[entry.key] = try readMCPServer(
                        name: entry.key, entry.value, problems: &loaded.problems)
                } catch {
                    loaded.problems.append(error)
                    loaded.brokenMCPServers.append(entry.key)
                }
            }
        case "tools":
            for entry in try reader.mapping(member.value, allowed: [], what: "'tools'") {
                do throws(DefinitionError) {
                    try readToolSettings(entry, into: &loaded, toolNames: toolNames, keys: toolSettingKeys[entry.key])
                } catch {
                    loaded.problems.append(error)
                }
            }
        default: break
        }
    }

    /// One `tools.<name>` block; each key the tool does not take is a problem at the key, with a did-you-mean hint.
    private func readToolSettings(
        _ entry: YAMLReader.Member, into loaded: inout Loaded, toolNames: [String], keys: [String]?
    ) throws(DefinitionError) {
        guard toolNames.contains(entry.key) else {
            throw reader.error(
                at: entry.keyNode,
                "settings for unknown tool '\(entry.key)'\(Suggestions.hint(for: entry.key, in: toolNames))")
        }
        guard case .object(let values) = try reader.json(entry.value) else {
            throw reader.error(at: entry.value, "'tools.\(entry.key)' must be a mapping of settings")
        }
        if let keys, case .mapping(let mapping) = entry.value {
            for keyNode in mapping.keys {
                let key = keyNode.string ?? "\(keyNode)"
                guard !keys.contains(key) else { continue }
                loaded.problems.append(
                    reader.error(
                        at: keyNode,
                        "unknown setting '\(key)' for tool '\(entry.key)'\(Suggestions.hint(for: key, in: keys)); "
                            + "allowed: \(keys.isEmpty ? "none" : keys.joined(separator: ", "))"))
            }
        }
        let place = reader.error(at: entry.value, "")
        loaded.configuration.toolSettings[entry.key] = .init(
            values: values, place: "\(place.file):\(place.line):\(place.column)")
    }

    private func readProvider(
        name: String, _ node: Node, problems: inout [DefinitionError]
    ) throws(DefinitionError) -> ProviderConfiguration {
        let kindNames = kinds.map(\.name)
        guard case .mapping = node else {
            throw reader.error(at: node, "provider '\(name)' must be a mapping with at least 'kind'")
        }
        let allKeys = ConfigSchema.keys(ConfigSchema.provider(kinds: kinds))
        let members = try reader.mapping(node, allowed: allKeys, what: "provider '\(name)'", problems: &problems)
        guard let kindNode = members.first(where: { $0.key == "kind" })?.value else {
            // `knd: openai` has been reported as an unknown key with its hint; without a kind nothing else is read.
            if reader.misspells("kind", in: node, allowed: allKeys) { throw problems.removeLast() }
            throw reader.error(
                at: node,
                "provider '\(name)' is missing required key 'kind' (one of: \(kindNames.joined(separator: ", ")))")
        }
        let kindName = try reader.string(kindNode, field: "kind")
        guard let kind = kinds.first(where: { $0.name == kindName }) else {
            throw reader.error(
                at: kindNode,
                "unknown provider kind '\(kindName)'\(Suggestions.hint(for: kindName, in: kindNames)); known: \(kindNames.joined(separator: ", "))"
            )
        }
        // A declared provider may legitimately need no key (a local server); a vendor that wants one says 401.
        var configuration = ProviderConfiguration(name: name, kind: kind.name, baseURL: kind.defaultBaseURL)
        for member in members {
            do throws(DefinitionError) {
                try read(member, of: kind, into: &configuration)
            } catch {
                problems.append(error)
            }
        }
        return configuration
    }

    private func read(
        _ member: YAMLReader.Member, of kind: ProviderKind, into configuration: inout ProviderConfiguration
    ) throws(DefinitionError) {
        let settingNames = kind.settings.map(\.name)
        let value = member.value
        switch member.key {
        case "kind": break
        case "base_url":
            configuration.baseURL = try reader.string(value, field: "base_url")
            guard configuration.baseURL.hasPrefix("http://") || configuration.baseURL.hasPrefix("https://") else {
                throw reader.error(
                    at: value,
                    "'base_url' must start with http:// or https://, got \(reader.shown(configuration.baseURL, of: value))"
                )
            }
        case "api_key":
            let key = try reader.string(value, field: "api_key")
            configuration.apiKey = key.isEmpty ? nil : key
        case "headers":
            for header in try reader.mapping(value, allowed: [], what: "'headers'") {
                configuration.headers.append(
                    HTTPHeaderField(
                        name: header.key, value: try reader.string(header.value, field: "headers.\(header.key)")))
            }
        case "timeout": configuration.timeout = try reader.duration(value, field: "timeout", in: ConfigLimits.timeout)
        case "max_retries":
            configuration.maxRetries = try reader.int(value, field: "max_retries", in: ConfigLimits.retries)
        case "pricing": configuration.pricing = try readPricing(value)
        case let key where settingNames.contains(key):
            // A duration is read like every other duration in the file, and kept as seconds; an integer is checked
            // against a range, as a context size becomes a number on a command line.
            switch kind.settings.first(where: { $0.name == key })?.type {
            case ProviderKind.Setting.duration:
                let duration = try reader.duration(value, field: key, in: ConfigLimits.timeout)
                configuration.settings[key] = .number(duration.secondsValue)
            case "integer":
                configuration.settings[key] = .integer(
                    try reader.int(value, field: key, in: ConfigLimits.providerInteger))
            default:
                configuration.settings[key] = try reader.json(value)
            }
        default:
            let owners = kinds.filter { $0.settings.contains { $0.name == member.key } }.map(\.name)
            throw reader.error(
                at: member.keyNode,
                "'\(member.key)' is a setting of provider kind \(owners.joined(separator: " or ")), not of '\(kind.name)'"
            )
        }
    }

    private func readMCPServer(
        name: String, _ node: Node, problems: inout [DefinitionError]
    ) throws(DefinitionError) -> MCPServerSettings {
        let field = "mcp_servers.\(name)"
        let members = try reader.mapping(
            node, allowed: ConfigSchema.keys(ConfigSchema.mcpServer), what: "MCP server '\(name)'",
            problems: &problems)
        guard let commandNode = members.first(where: { $0.key == "command" })?.value else {
            if reader.misspells("command", in: node, allowed: ConfigSchema.keys(ConfigSchema.mcpServer)) {
                throw problems.removeLast()
            }
            throw reader.error(at: node, "MCP server '\(name)' is missing required key 'command'")
        }
        let place = reader.error(at: node, "")
        var server = MCPServerSettings(
            name: name, command: try reader.string(commandNode, field: "\(field).command"),
            place: "\(place.file):\(place.line):\(place.column)")
        guard !server.command.isEmpty else { throw reader.error(at: commandNode, "'\(field).command' is empty") }
        for member in members {
            reader.collect(&problems) { () throws(DefinitionError) in
                try read(member, field: field, into: &server)
            }
        }
        return server
    }

    private func read(
        _ member: YAMLReader.Member, field: String, into server: inout MCPServerSettings
    ) throws(DefinitionError) {
        let value = member.value
        switch member.key {
        case "args":
            guard case .sequence(let sequence) = value else {
                throw reader.error(at: value, "'\(field).args' must be a list of strings")
            }
            for element in sequence { server.arguments.append(try reader.string(element, field: "\(field).args")) }
        case "env":
            for variable in try reader.mapping(value, allowed: [], what: "'\(field).env'") {
                server.environment[variable.key] = try reader.string(
                    variable.value, field: "\(field).env.\(variable.key)")
            }
        case "working_dir": server.workingDirectory = try reader.string(value, field: "\(field).working_dir")
        case "startup_timeout":
            server.startupTimeout = try reader.duration(
                value, field: "\(field).startup_timeout", in: ConfigLimits.timeout)
        case "timeout":
            server.callTimeout = try reader.duration(value, field: "\(field).timeout", in: ConfigLimits.timeout)
        case "idempotent":
            if case .sequence(let names) = value {
                var listed: Set<String> = []
                for name in names { listed.insert(try reader.string(name, field: "\(field).idempotent")) }
                server.idempotent = .listed(listed)
            } else {
                server.idempotent = try reader.bool(value, field: "\(field).idempotent") ? .all : .listed([])
            }
        default: break
        }
    }

    private func readPricing(_ node: Node) throws(DefinitionError) -> [String: ModelPricing] {
        var table: [String: ModelPricing] = [:]
        for entry in try reader.mapping(node, allowed: [], what: "'pricing'") {
            var input: Double?
            var output: Double?
            for price in try reader.mapping(entry.value, allowed: ["input", "output"], what: "'pricing.\(entry.key)'") {
                let amount = try reader.double(price.value, field: "pricing.\(entry.key).\(price.key)")
                guard amount >= 0, amount.isFinite else {
                    throw reader.error(
                        at: price.value, "'pricing.\(entry.key).\(price.key)' must be a price of 0 or more")
                }
                if price.key == "input" { input = amount } else { output = amount }
            }
            guard let input, let output else {
                throw reader.error(
                    at: entry.value,
                    "'pricing.\(entry.key)' needs both input and output (price per million tokens)")
            }
            table[entry.key] = ModelPricing(inputPerMillion: input, outputPerMillion: output)
        }
        return table
    }
}
