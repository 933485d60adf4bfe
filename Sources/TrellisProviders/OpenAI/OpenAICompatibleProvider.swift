import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import TrellisCore

/// The adapter for OpenAI Chat Completions and every compatible server (vLLM, llama.cpp, Ollama `/v1`,
/// SiliconFlow, DeepSeek, ...): `POST {base_url}/chat/completions` with a bearer key.
///
/// ```swift
/// let provider = OpenAICompatibleProvider(
///     configuration: ProviderConfiguration(name: "local", kind: "openai", baseURL: "http://127.0.0.1:8080/v1"))
/// let reply = try await provider.complete(ModelRequest(model: "any", messages: [.user("Hello")]))
/// ```
public struct OpenAICompatibleProvider: ModelProvider {
    /// `kind: openai`: OpenAI itself, or any compatible server at `base_url`.
    public static let kind = ProviderKind(
        name: "openai", summary: "OpenAI Chat Completions and compatible servers",
        defaultBaseURL: "https://api.openai.com/v1", keyVariable: "OPENAI_API_KEY", baseURLVariable: "OPENAI_BASE_URL")

    let http: ProviderHTTPClient
    let retry: RetryPolicy
    let endpoint: String

    /// Creates an adapter.
    ///
    /// - Parameters:
    ///   - configuration: Base URL, key, headers, timeout and retry count.
    ///   - client: The HTTP client; the shared one by default.
    ///   - retry: The retry policy; by default `configuration.maxRetries` retries with exponential backoff.
    public init(configuration: ProviderConfiguration, client: HTTPClient = .trellis, retry: RetryPolicy? = nil) {
        var authentication: [HTTPHeaderField] = []
        if let key = configuration.apiKey?.trimmingSpacesAndNewlines, !key.isEmpty {
            authentication.append(HTTPHeaderField(name: "Authorization", value: "Bearer \(key)"))
        }
        self.http = ProviderHTTPClient(configuration: configuration, client: client, headers: authentication)
        self.retry = retry ?? RetryPolicy(maxRetries: configuration.maxRetries)
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base + "/chat/completions"
    }

    var name: String { http.configuration.name }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let body = OpenAIRequestEncoder.body(for: request, stream: false).serialized()
        do {
            return try await retry.run {
                let response = try await http.post(
                    endpoint, body: body, decodeError: OpenAIResponseDecoder.errorMessage)
                let text = try await http.readBody(response)
                return try OpenAIResponseDecoder.response(
                    from: text, provider: name, status: Int(response.status.code), maxTokens: request.options.maxTokens)
            }
        } catch let error as ProviderError {
            throw error.redacting(http.configuration.apiKey)
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        http.eventStream(
            endpoint, body: OpenAIRequestEncoder.body(for: request, stream: true).serialized(),
            accept: "text/event-stream", retry: retry, decodeError: OpenAIResponseDecoder.errorMessage,
            decoder: OpenAIStreamDecoder(provider: name, maxTokens: request.options.maxTokens))
    }
}
