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
        /// A stable code: `missing_api_key`, or `invalid_provider` for anything else.
        public var code: String
        public var description: String { message }

        /// Creates an error.
        public init(message: String, code: String = "invalid_provider") {
            self.message = message
            self.code = code
        }
    }

    /// One registered wire format.
    struct Adapter: Sendable {
        let kind: ProviderKind
        let make: @Sendable (ProviderConfiguration, HTTPClient) throws -> any ModelProvider
    }

    static let adapters: [Adapter] =
        OpenAIDialect.all.map { dialect in
            Adapter(kind: dialect.kind) { OpenAICompatibleProvider(configuration: $0, client: $1, dialect: dialect) }
        } + [
            Adapter(kind: YandexProvider.kind) { try YandexProvider(configuration: $0, client: $1) },
            Adapter(kind: AmveraProvider.kind) { try AmveraProvider(configuration: $0, client: $1) },
            Adapter(kind: AnthropicProvider.kind) { AnthropicProvider(configuration: $0, client: $1) },
            Adapter(kind: OllamaProvider.kind) { OllamaProvider(configuration: $0, client: $1) },
        ]

    /// Every kind, for the workspace loader and `trellis schema`.
    public static var kinds: [ProviderKind] { adapters.map(\.kind) }

    /// The adapter for `configuration.kind`.
    ///
    /// - Throws: ``SetupError`` for an unknown kind, a provider that needs a key it does not have, or a missing
    ///   kind-specific setting.
    public static func make(_ configuration: ProviderConfiguration, client: HTTPClient = .trellis) throws
        -> any ModelProvider
    {
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
        return try adapter.make(configuration, client)
    }
}
