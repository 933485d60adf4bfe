import AsyncHTTPClient
import TrellisCore

/// The provider kinds this build speaks, and the adapter for each.
///
/// Adding a wire format is one line in ``adapters``: the adapter's ``ProviderKind`` (default base URL, key
/// variable, settings) and how to build it from a ``ProviderConfiguration``.
public enum ProviderFactory {
    /// A provider that cannot be built from its configuration.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        /// What is missing or wrong.
        public var message: String
        /// A stable code: `missing_api_key`, `model_not_installed` (a `local` model or its server), or
        /// `invalid_provider` for anything else.
        public var code: String
        public var description: String { message }

        /// Creates an error.
        public init(message: String, code: String = "invalid_provider") {
            self.message = message
            self.code = code
        }
    }

    /// Where a provider runs: what `local` models need besides their configuration.
    public struct Context: Sendable {
        /// The workspace folder; relative paths in provider settings start from it.
        public var workspace: String
        /// Starts the servers of `local` models.
        public var localHost: (any LocalModelHost)?

        /// Creates a context.
        public init(workspace: String = ".", localHost: (any LocalModelHost)? = nil) {
            self.workspace = workspace
            self.localHost = localHost
        }
    }

    /// One registered wire format.
    struct Adapter: Sendable {
        let kind: ProviderKind
        /// Checks, before any request, that the adapter can serve a model (a `local` model's files).
        let check: (@Sendable (ProviderConfiguration, String, Context) throws -> Void)?
        let make: @Sendable (ProviderConfiguration, HTTPClient, Context) throws -> any ModelProvider

        init(
            kind: ProviderKind, check: (@Sendable (ProviderConfiguration, String, Context) throws -> Void)? = nil,
            make: @escaping @Sendable (ProviderConfiguration, HTTPClient, Context) throws -> any ModelProvider
        ) {
            self.kind = kind
            self.check = check
            self.make = make
        }
    }

    static let adapters: [Adapter] =
        OpenAIDialect.all.map { dialect in
            Adapter(kind: dialect.kind) { configuration, client, _ in
                OpenAICompatibleProvider(configuration: configuration, client: client, dialect: dialect)
            }
        } + [
            Adapter(kind: YandexProvider.kind) { configuration, client, _ in
                try YandexProvider(configuration: configuration, client: client)
            },
            Adapter(kind: AmveraProvider.kind) { configuration, client, _ in
                try AmveraProvider(configuration: configuration, client: client)
            },
            Adapter(kind: AnthropicProvider.kind) { configuration, client, _ in
                AnthropicProvider(configuration: configuration, client: client)
            },
            Adapter(kind: OllamaProvider.kind) { configuration, client, _ in
                OllamaProvider(configuration: configuration, client: client)
            },
            Adapter(kind: LocalModelProvider.kind, check: LocalModelProvider.checkInstalled) {
                configuration, client, context in
                LocalModelProvider(
                    configuration: configuration, client: client, workspace: context.workspace,
                    host: context.localHost)
            },
        ]

    /// Every kind, for the workspace loader and `trellis schema`.
    public static var kinds: [ProviderKind] { adapters.map(\.kind) }

    /// The adapter for `configuration.kind`.
    ///
    /// - Parameters:
    ///   - configuration: The provider.
    ///   - model: A model id the provider will be asked for, checked now where the adapter can tell (a `local`
    ///     model that is not installed).
    ///   - client: The HTTP client its requests go through.
    ///   - context: The workspace, and for `local` models the host that starts their servers.
    /// - Throws: ``SetupError`` for an unknown kind, a provider that needs a key it does not have, or a missing
    ///   kind-specific setting, or a model that cannot be served (`model_not_installed`).
    public static func make(
        _ configuration: ProviderConfiguration, model: String? = nil, client: HTTPClient = .trellis,
        context: Context = Context()
    ) throws -> any ModelProvider {
        if configuration.apiKey == nil, let hint = configuration.apiKeyHint {
            throw SetupError(
                message:
                    "provider '\(configuration.name)' needs an API key: set \(hint), or declare the provider with api_key in trellis.yaml",
                code: "missing_api_key")
        }
        guard let adapter = adapters.first(where: { $0.kind.name == configuration.kind }) else {
            throw SetupError(
                message: "provider '\(configuration.name)' has unknown kind '\(configuration.kind)'; known: "
                    + kinds.map(\.name).joined(separator: ", "))
        }
        if let model { try adapter.check?(configuration, model, context) }
        return try adapter.make(configuration, client, context)
    }
}
