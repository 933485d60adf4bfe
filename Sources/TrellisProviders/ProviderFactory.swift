import AsyncHTTPClient
import TrellisCore

/// Builds the adapter for a provider configuration.
public enum ProviderFactory {
    /// A provider that cannot be built from its configuration.
    public struct SetupError: Error, Sendable, CustomStringConvertible {
        /// What is missing or wrong.
        public var message: String
        public var description: String { message }
    }

    /// The adapter for `configuration.kind`.
    ///
    /// - Throws: ``SetupError`` for an unknown kind or a provider that needs a key it does not have.
    public static func make(_ configuration: ProviderConfiguration, client: HTTPClient = .trellis) throws
        -> any ModelProvider
    {
        if configuration.apiKey == nil, let hint = configuration.apiKeyHint {
            throw SetupError(
                message:
                    "provider '\(configuration.name)' needs an API key: set \(hint), or declare the provider with api_key in trellis.yaml"
            )
        }
        switch configuration.kind {
        case "openai":
            return OpenAICompatibleProvider(configuration: configuration, client: client)
        default:
            throw SetupError(message: "provider '\(configuration.name)' has unknown kind '\(configuration.kind)'")
        }
    }
}
