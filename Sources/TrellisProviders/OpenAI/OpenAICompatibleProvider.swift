import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import TrellisCore

/// The adapter for OpenAI Chat Completions and every compatible server (vLLM, llama.cpp, Ollama `/v1`,
/// SiliconFlow, DeepSeek, Dewiar, ...): `POST {base_url}/chat/completions` with a bearer key.
///
/// What differs per vendor is an ``OpenAIDialect``, chosen by `configuration.kind` (`openai`, `dewiar`,
/// `siliconflow`, `vllm`); the decoders tolerate every known quirk whatever the kind.
///
/// ```swift
/// let provider = OpenAICompatibleProvider(
///     configuration: ProviderConfiguration(name: "local", kind: "openai", baseURL: "http://127.0.0.1:8080/v1"))
/// let reply = try await provider.complete(ModelRequest(model: "any", messages: [.user("Hello")]))
/// ```
public struct OpenAICompatibleProvider: ModelProvider {
    /// `kind: openai`: OpenAI itself, or any compatible server at `base_url`.
    public static let kind = OpenAIDialect.openAI.kind
    /// `kind: dewiar`: Dewiar's unified API, models as `provider/name`, cost from its `billing` block.
    public static let dewiar = OpenAIDialect.dewiar.kind
    /// `kind: siliconflow`: SiliconFlow's OpenAI-compatible API.
    public static let siliconFlow = OpenAIDialect.siliconFlow.kind
    /// `kind: vllm`: a vLLM server; no key needed unless it was started with `--api-key`.
    public static let vLLM = OpenAIDialect.vLLM.kind

    /// The HTTP client; tests lower its ``ProviderHTTPClient/limits``.
    var http: ProviderHTTPClient
    let retry: RetryPolicy
    let endpoint: String
    let dialect: OpenAIDialect
    /// Body fields from the dialect's ``OpenAIDialect/bodySettings``.
    let fields: JSONObject

    /// Creates an adapter.
    ///
    /// - Parameters:
    ///   - configuration: Base URL, key, headers, timeout, retry count and kind settings.
    ///   - client: The HTTP client; the shared one by default.
    ///   - retry: The retry policy; by default `configuration.maxRetries` retries with exponential backoff.
    ///   - dialect: What differs for this vendor; by default the one named by `configuration.kind`.
    public init(
        configuration: ProviderConfiguration, client: HTTPClient = .trellis, retry: RetryPolicy? = nil,
        dialect: OpenAIDialect? = nil
    ) {
        var authentication: [HTTPHeaderField] = []
        if let key = configuration.apiKey?.trimmingSpacesAndNewlines, !key.isEmpty {
            authentication.append(HTTPHeaderField(name: "Authorization", value: "Bearer \(key)"))
        }
        let dialect = dialect ?? OpenAIDialect.named(configuration.kind)
        self.http = ProviderHTTPClient(
            configuration: configuration, client: client, headers: authentication,
            secrets: dialect.secretSettings.compactMap { configuration.setting($0) })
        self.retry = retry ?? RetryPolicy(maxRetries: configuration.maxRetries)
        self.dialect = dialect
        self.endpoint = dialect.endpoint(baseURL: configuration.baseURL)
        var fields = JSONObject()
        for name in dialect.bodySettings {
            if let value = configuration.settings[name], !value.isNull, value != "" { fields[name] = value }
        }
        self.fields = fields
    }

    var name: String { http.configuration.name }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let body = body(for: request, stream: false)
        do {
            return try await retry.run {
                let response = try await http.post(
                    endpoint, body: body, decodeError: OpenAIResponseDecoder.errorMessage)
                let text = try await http.readBody(response)
                return try OpenAIResponseDecoder.response(
                    from: text, provider: name, status: Int(response.status.code), maxTokens: request.options.maxTokens,
                    billing: dialect.reportsBilling)
            }
        } catch let error as ProviderError {
            throw http.redacting(error)
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        http.eventStream(
            endpoint, body: body(for: request, stream: true), accept: "text/event-stream", retry: retry,
            decodeError: OpenAIResponseDecoder.errorMessage,
            decoder: OpenAIStreamDecoder(
                provider: name, maxTokens: request.options.maxTokens, billing: dialect.reportsBilling))
    }

    /// The request body: the OpenAI encoding plus the dialect's setting fields.
    func body(for request: ModelRequest, stream: Bool) -> String {
        OpenAIRequestEncoder.text(for: request, stream: stream, fields: fields)
    }
}
