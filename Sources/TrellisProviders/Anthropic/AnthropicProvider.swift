import AsyncHTTPClient
import NIOHTTP1
import TrellisCore

/// The adapter for Anthropic's Messages API (PROVIDERS §9): `POST {base_url}/messages` with `x-api-key` and
/// `anthropic-version`, content blocks, `tool_use`/`tool_result`, and typed SSE streams.
///
/// ```swift
/// let provider = AnthropicProvider(
///     configuration: ProviderConfiguration(
///         name: "anthropic", kind: "anthropic", baseURL: "https://api.anthropic.com/v1", apiKey: key))
/// let reply = try await provider.complete(ModelRequest(model: "claude-sonnet-4-5", messages: [.user("Hello")]))
/// ```
///
/// A base URL without a path (`https://api.anthropic.com`, as the official SDKs read `ANTHROPIC_BASE_URL`) gets
/// `/v1` appended. `max_tokens` defaults to ``AnthropicRequestEncoder/defaultMaxTokens`` (4096).
public struct AnthropicProvider: ModelProvider {
    /// The `anthropic-version` sent when the `version` setting is absent.
    public static let defaultVersion = "2023-06-01"

    /// `kind: anthropic`: the Anthropic Messages API.
    public static let kind = ProviderKind(
        name: "anthropic", summary: "Anthropic Messages API (Claude)",
        defaultBaseURL: "https://api.anthropic.com/v1", keyVariable: "ANTHROPIC_API_KEY",
        baseURLVariable: "ANTHROPIC_BASE_URL",
        settings: [
            .init(name: "version", description: "anthropic-version header (default \(defaultVersion))")
        ])

    /// The HTTP client; tests lower its ``ProviderHTTPClient/limits``.
    var http: ProviderHTTPClient
    let retry: RetryPolicy
    let endpoint: String

    /// Creates an adapter.
    ///
    /// - Parameters:
    ///   - configuration: Base URL, key, headers, timeout, retry count and the `version` setting.
    ///   - client: The HTTP client; the shared one by default.
    ///   - retry: The retry policy; by default `configuration.maxRetries` retries with exponential backoff.
    public init(configuration: ProviderConfiguration, client: HTTPClient = .trellis, retry: RetryPolicy? = nil) {
        var headers = [
            HTTPHeaderField(name: "anthropic-version", value: configuration.setting("version") ?? Self.defaultVersion)
        ]
        if let key = configuration.apiKey?.trimmingSpacesAndNewlines, !key.isEmpty {
            headers.append(HTTPHeaderField(name: "x-api-key", value: key))
        }
        self.http = ProviderHTTPClient(configuration: configuration, client: client, headers: headers)
        self.retry = retry ?? RetryPolicy(maxRetries: configuration.maxRetries)
        self.endpoint = Self.apiRoot(configuration.baseURL) + "/messages"
    }

    /// The base URL without trailing slashes, with `/v1` added when it has no path.
    static func apiRoot(_ baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        let afterScheme = base.firstRange(of: "://").map { base[$0.upperBound...] } ?? base[...]
        return afterScheme.contains("/") ? base : base + "/v1"
    }

    var name: String { http.configuration.name }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let body = AnthropicRequestEncoder.body(for: request, stream: false).serialized()
        do {
            return try await retry.run {
                let response = try await http.post(
                    endpoint, body: body, decodeError: OpenAIResponseDecoder.errorMessage)
                let text = try await http.readBody(response)
                return try AnthropicResponseDecoder.response(
                    from: text, provider: name, status: Int(response.status.code))
            }
        } catch let error as ProviderError {
            throw http.redacting(error)
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        http.eventStream(
            endpoint, body: AnthropicRequestEncoder.body(for: request, stream: true).serialized(),
            accept: "text/event-stream", retry: retry, decodeError: OpenAIResponseDecoder.errorMessage,
            decoder: AnthropicStreamDecoder(provider: name))
    }
}
