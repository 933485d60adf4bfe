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
        let state = StreamState(provider: self, request: request)
        let key = http.configuration.apiKey
        return AsyncThrowingStream(unfolding: {
            do {
                return try await state.next()
            } catch let error as ProviderError {
                throw error.redacting(key)
            }
        })
    }

    /// Pull-based stream state: the request is sent on the first `next()`, and every later call reads just
    /// enough of the body to produce one event. Only the stream's single consumer touches it, one call at a time.
    private final class StreamState: @unchecked Sendable {
        let provider: OpenAICompatibleProvider
        let request: ModelRequest
        var pending: [ModelEvent] = []
        var cursor = 0
        var body: HTTPClientResponse.Body.AsyncIterator?
        var parser = SSEParser()
        var accumulator: OpenAIStreamAccumulator
        var started = false
        var finished = false

        init(provider: OpenAICompatibleProvider, request: ModelRequest) {
            self.provider = provider
            self.request = request
            self.accumulator = OpenAIStreamAccumulator(provider: provider.name, maxTokens: request.options.maxTokens)
        }

        func next() async throws -> ModelEvent? {
            while true {
                if cursor < pending.count {
                    defer { cursor += 1 }
                    return pending[cursor]
                }
                pending.removeAll(keepingCapacity: true)
                cursor = 0
                if finished { return nil }
                if !started {
                    started = true
                    let text = OpenAIRequestEncoder.body(for: request, stream: true).serialized()
                    let response = try await provider.retry.run {
                        try await provider.http.post(
                            provider.endpoint, body: text, accept: "text/event-stream",
                            decodeError: OpenAIResponseDecoder.errorMessage)
                    }
                    body = response.body.makeAsyncIterator()
                    continue
                }
                let chunk: ByteBuffer?
                do {
                    chunk = try await body?.next()
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw ProviderError.truncatedStream(
                        provider: provider.name,
                        message: "the stream broke before [DONE]: \(ProviderHTTPClient.describe(error))")
                }
                let events: [SSEEvent]
                if let chunk {
                    events = parser.feed(chunk.readableBytesView)
                } else {
                    events = parser.finish()
                }
                for event in events where !accumulator.isDone { pending += try accumulator.consume(event) }
                if accumulator.isDone {
                    finished = true
                    pending.append(.completed(accumulator.response()))
                    try await drain()
                } else if chunk == nil {
                    throw ProviderError.truncatedStream(
                        provider: provider.name, message: "the stream ended without data: [DONE]")
                }
            }
        }

        /// Reads what follows `[DONE]` so the connection can be reused.
        private func drain() async throws {
            while (try? await body?.next()) != nil {}
            body = nil
        }
    }
}
