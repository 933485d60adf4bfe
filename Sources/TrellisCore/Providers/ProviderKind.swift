/// What a provider kind (a wire format) needs from configuration: its default base URL, where its key comes
/// from, and the settings only it understands.
///
/// Each adapter in `TrellisProviders` declares one; the workspace loader uses the list to check `trellis.yaml`
/// and to offer a built-in provider of the same name that works from environment variables alone.
///
/// ```swift
/// static let kind = ProviderKind(
///     name: "yandex", summary: "Yandex Foundation Models native API",
///     defaultBaseURL: "https://llm.api.cloud.yandex.net", keyVariable: "YANDEX_API_KEY",
///     settings: [.init(name: "folder_id", description: "Cloud folder id", variable: "YANDEX_FOLDER_ID")])
/// ```
public struct ProviderKind: Sendable, Hashable {
    /// A setting only this kind understands, written beside `base_url` in the provider's entry.
    public struct Setting: Sendable, Hashable {
        /// The key in `trellis.yaml` (`folder_id`).
        public var name: String
        /// One line for `trellis schema` and error messages.
        public var description: String
        /// The environment variable the built-in provider reads it from, if any.
        public var variable: String?
        /// The JSON type of the value (`string`, `boolean`, `object`), or ``duration``.
        public var type: String

        /// The type of a duration setting (`90s`, `500ms`, `2m` or seconds), read like every duration of
        /// `trellis.yaml` and kept as a number of seconds.
        public static let duration = "duration"

        /// Creates a setting.
        public init(name: String, description: String, variable: String? = nil, type: String = "string") {
            self.name = name
            self.description = description
            self.variable = variable
            self.type = type
        }
    }

    /// The kind's name, used as `kind:` in `trellis.yaml` and as the built-in provider's name.
    public var name: String
    /// One line about the API.
    public var summary: String
    /// The base URL used when the entry gives none.
    public var defaultBaseURL: String
    /// The environment variable holding the built-in provider's key (`YANDEX_API_KEY`), if it has one.
    public var keyVariable: String?
    /// The environment variable that overrides the built-in provider's base URL (`OPENAI_BASE_URL`), if any.
    public var baseURLVariable: String?
    /// Whether requests fail without a key (a local server usually needs none).
    public var requiresKey: Bool
    /// Settings only this kind understands.
    public var settings: [Setting]
    /// What the kind's adapter can do besides chat, for the route classifiers that need it.
    public var capabilities: Capabilities

    /// What an adapter can do besides chat completions.
    public struct Capabilities: OptionSet, Sendable, Hashable {
        public let rawValue: Int

        /// Creates a set from its raw value.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Text embeddings (the `embedding` classifier).
        public static let embeddings = Capabilities(rawValue: 1)
        /// Few-shot text classification (the `fewshot` classifier): Yandex's `fewShotTextClassification`.
        public static let classification = Capabilities(rawValue: 2)
    }

    /// Creates a kind.
    public init(
        name: String,
        summary: String,
        defaultBaseURL: String,
        keyVariable: String? = nil,
        baseURLVariable: String? = nil,
        requiresKey: Bool = true,
        settings: [Setting] = [],
        capabilities: Capabilities = []
    ) {
        self.name = name
        self.summary = summary
        self.defaultBaseURL = defaultBaseURL
        self.keyVariable = keyVariable
        self.baseURLVariable = baseURLVariable
        self.requiresKey = requiresKey
        self.settings = settings
        self.capabilities = capabilities
    }

    /// The provider of this kind that exists without `trellis.yaml`, configured from the environment.
    public func builtinProvider(environment: [String: String]) -> ProviderConfiguration {
        func value(_ variable: String?) -> String? {
            guard let variable, let value = environment[variable], !value.isEmpty else { return nil }
            return value
        }
        var configuration = ProviderConfiguration(
            name: name, kind: name, baseURL: value(baseURLVariable) ?? defaultBaseURL, apiKey: value(keyVariable),
            apiKeyHint: requiresKey ? keyVariable : nil)
        for setting in settings {
            if let text = value(setting.variable) { configuration.settings[setting.name] = .string(text) }
        }
        return configuration
    }
}
