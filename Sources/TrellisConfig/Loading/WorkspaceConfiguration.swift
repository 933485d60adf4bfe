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
        toolSettings: [String: ToolSettings] = [:]
    ) {
        self.providers = providers
        self.defaultModel = defaultModel
        self.toolSettings = toolSettings
    }

    /// Providers usable without `trellis.yaml`: `openai`, keyed by `OPENAI_API_KEY` (and `OPENAI_BASE_URL`).
    public static func builtinProviders(environment: [String: String]) -> [String: ProviderConfiguration] {
        [
            "openai": ProviderConfiguration(
                name: "openai", kind: "openai",
                baseURL: environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
                    ?? "https://api.openai.com/v1",
                apiKey: environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 },
                apiKeyHint: "OPENAI_API_KEY")
        ]
    }

    /// The provider kinds this build speaks.
    public static let providerKinds = ["openai"]
}

/// Reads `trellis.yaml`.
struct WorkspaceConfigurationLoader {
    let reader: YAMLReader

    func load(_ text: String, toolNames: [String]) throws(DefinitionError) -> WorkspaceConfiguration {
        var configuration = WorkspaceConfiguration(
            providers: WorkspaceConfiguration.builtinProviders(environment: reader.environment))
        guard let root = try reader.compose(text) else { return configuration }
        for member in try reader.mapping(root, allowed: ConfigSchema.keys(ConfigSchema.workspace), what: "trellis.yaml")
        {
            switch member.key {
            case "providers":
                for entry in try reader.mapping(member.value, allowed: [], what: "'providers'") {
                    configuration.providers[entry.key] = try readProvider(name: entry.key, entry.value)
                }
            case "defaults":
                for entry in try reader.mapping(member.value, allowed: ["model"], what: "'defaults'") {
                    configuration.defaultModel = try reader.string(entry.value, field: "defaults.model")
                }
            case "tools":
                for entry in try reader.mapping(member.value, allowed: [], what: "'tools'") {
                    guard toolNames.contains(entry.key) else {
                        throw reader.error(
                            at: entry.keyNode,
                            "settings for unknown tool '\(entry.key)'\(Suggestions.hint(for: entry.key, in: toolNames))"
                        )
                    }
                    guard case .object(let values) = try reader.json(entry.value) else {
                        throw reader.error(at: entry.value, "'tools.\(entry.key)' must be a mapping of settings")
                    }
                    let place = reader.error(at: entry.value, "")
                    configuration.toolSettings[entry.key] = .init(
                        values: values, place: "\(place.file):\(place.line):\(place.column)")
                }
            default: break
            }
        }
        return configuration
    }

    private func readProvider(name: String, _ node: Node) throws(DefinitionError) -> ProviderConfiguration {
        let members = try reader.mapping(
            node, allowed: ConfigSchema.keys(ConfigSchema.provider), what: "provider '\(name)'")
        guard let kindNode = members.first(where: { $0.key == "kind" })?.value else {
            throw reader.error(
                at: node,
                "provider '\(name)' is missing required key 'kind' (one of: \(WorkspaceConfiguration.providerKinds.joined(separator: ", ")))"
            )
        }
        let kind = try reader.string(kindNode, field: "kind")
        guard WorkspaceConfiguration.providerKinds.contains(kind) else {
            throw reader.error(
                at: kindNode,
                "unknown provider kind '\(kind)'\(Suggestions.hint(for: kind, in: WorkspaceConfiguration.providerKinds)); known: \(WorkspaceConfiguration.providerKinds.joined(separator: ", "))"
            )
        }
        var configuration = ProviderConfiguration(name: name, kind: kind, baseURL: "")
        for member in members {
            let value = member.value
            switch member.key {
            case "base_url":
                configuration.baseURL = try reader.string(value, field: "base_url")
                guard configuration.baseURL.hasPrefix("http://") || configuration.baseURL.hasPrefix("https://") else {
                    throw reader.error(
                        at: value, "'base_url' must start with http:// or https://, got '\(configuration.baseURL)'")
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
            case "timeout": configuration.timeout = try reader.duration(value, field: "timeout")
            case "max_retries": configuration.maxRetries = try reader.int(value, field: "max_retries", minimum: 0)
            default: break
            }
        }
        if configuration.baseURL.isEmpty {
            throw reader.error(at: node, "provider '\(name)' is missing required key 'base_url'")
        }
        return configuration
    }
}
