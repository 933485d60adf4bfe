import AsyncHTTPClient
import NIOHTTP1
import TrellisCore

/// The adapter for Ollama's native chat API (PROVIDERS §8): `POST {base_url}/api/chat`, NDJSON streams, tool calls
/// with arguments as objects, sampling under `options`. No key is needed locally; with one (Ollama Cloud, a proxy)
/// it is sent as a bearer token.
///
/// ```swift
/// let provider = OllamaProvider(
///     configuration: ProviderConfiguration(name: "ollama", kind: "ollama", baseURL: "127.0.0.1:11434"))
/// let reply = try await provider.complete(ModelRequest(model: "llama3.2", messages: [.user("Hello")]))
/// ```
///
/// The base URL may be written as `OLLAMA_HOST` is (`127.0.0.1:11434`, `myhost`): without a scheme it is `http`
/// and the port defaults to 11434. A trailing `/api` is dropped.
public struct OllamaProvider: ModelProvider {
    /// `kind: ollama`: a local or remote Ollama server.
    public static let kind = ProviderKind(
        name: "ollama", summary: "Ollama native chat API (/api/chat)", defaultBaseURL: "http://127.0.0.1:11434",
        keyVariable: "OLLAMA_API_KEY", baseURLVariable: "OLLAMA_HOST", requiresKey: false,
        settings: [
            .init(name: "keep_alive", description: "How long the model stays loaded after a request (5m, 1h, -1)"),
            .init(name: "num_ctx", description: "Context window in tokens (options.num_ctx)", type: "integer"),
        ], capabilities: [.embeddings])

    /// The HTTP client; tests lower its ``ProviderHTTPClient/limits``.
    var http: ProviderHTTPClient
    let retry: RetryPolicy
    let endpoint: String

    /// Creates an adapter.
    ///
    /// - Parameters:
    ///   - configuration: Base URL, optional key, headers, timeout, retry count, `keep_alive` and `num_ctx`.
    ///   - client: The HTTP client; the shared one by default.
    ///   - retry: The retry policy; by default `configuration.maxRetries` retries with exponential backoff.
    public init(configuration: ProviderConfiguration, client: HTTPClient = .trellis, retry: RetryPolicy? = nil) {
        var authentication: [HTTPHeaderField] = []
        if let key = configuration.apiKey?.trimmingSpacesAndNewlines, !key.isEmpty {
            authentication.append(HTTPHeaderField(name: "Authorization", value: "Bearer \(key)"))
        }
        self.http = ProviderHTTPClient(configuration: configuration, client: client, headers: authentication)
        self.retry = retry ?? RetryPolicy(maxRetries: configuration.maxRetries)
        self.endpoint = Self.apiRoot(configuration.baseURL) + "/api/chat"
    }

    /// The server's root URL from a base URL or an `OLLAMA_HOST` value.
    static func apiRoot(_ baseURL: String) -> String {
        var base = baseURL.trimmingSpacesAndNewlines
        if base.firstRange(of: "://") == nil {
            let slash = base.firstIndex(of: "/") ?? base.endIndex
            var host = String(base[..<slash])
            if host.isEmpty || host.hasPrefix(":") { host = "127.0.0.1" + host }
            let hasPort = host.hasPrefix("[") ? host.contains("]:") : host.contains(":")
            base = "http://" + host + (hasPort ? "" : ":11434") + base[slash...]
        }
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix("/api") { base.removeLast(4) }
        return base
    }

    var name: String { http.configuration.name }

    func body(_ request: ModelRequest, stream: Bool) throws -> String {
        try OllamaRequestEncoder.body(
            for: request, stream: stream, settings: http.configuration.settings, provider: name
        ).serialized()
    }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let body = try body(request, stream: false)
        do {
            return try await retry.run {
                let response = try await http.post(
                    endpoint, body: body, decodeError: OpenAIResponseDecoder.errorMessage)
                let text = try await http.readBody(response)
                return try OllamaResponseDecoder.response(from: text, provider: name, status: Int(response.status.code))
            }
        } catch let error as ProviderError {
            throw http.redacting(error)
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let body: String
        do {
            body = try self.body(request, stream: true)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return http.eventStream(
            endpoint, body: body, accept: "application/x-ndjson", retry: retry,
            decodeError: OpenAIResponseDecoder.errorMessage, decoder: OllamaStreamDecoder(provider: name))
    }
}
