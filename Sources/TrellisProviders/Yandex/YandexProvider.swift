import AsyncHTTPClient
import NIOHTTP1
import TrellisCore

/// The adapter for Yandex Foundation Models' native REST API (PROVIDERS §6): completions (streamed as
/// newline-delimited JSON), embeddings and few-shot classification, at `https://llm.api.cloud.yandex.net`.
///
/// Short model names become URIs in the configured folder (`yandexgpt-lite` → `gpt://<folder>/yandexgpt-lite/latest`,
/// `yandexgpt/rc` → `gpt://<folder>/yandexgpt/rc`); full `gpt://`, `emb://` and `cls://` URIs are sent as given.
/// The key goes as `Authorization: Api-Key <key>`, or `Bearer <key>` for an IAM token (`auth: iam`); the folder as
/// `x-folder-id`. A refused topic (HTTP 400 "An answer to a given topic cannot be generated") is a reply with
/// finish `contentFilter`, not an error. Images are refused before sending: the API takes text only.
///
/// ```swift
/// let yandex = try YandexProvider(configuration: ProviderConfiguration(
///     name: "yandex", kind: "yandex", baseURL: "https://llm.api.cloud.yandex.net", apiKey: key,
///     settings: ["folder_id": "b1gexample"]))
/// let reply = try await yandex.complete(ModelRequest(model: "yandexgpt-lite", messages: [.user("Привет!")]))
/// let vectors = try await yandex.embed(["погода"], model: "text-search-query")
/// ```
public struct YandexProvider: ModelProvider, EmbeddingProvider, ClassificationProvider {
    /// `kind: yandex`.
    public static let kind = ProviderKind(
        name: "yandex", summary: "Yandex Foundation Models native API (completion, embeddings, classification)",
        defaultBaseURL: "https://llm.api.cloud.yandex.net", keyVariable: "YANDEX_API_KEY",
        baseURLVariable: "YANDEX_BASE_URL",
        settings: [
            .init(
                name: "folder_id", description: "Cloud folder id: completes short model names, sent as x-folder-id",
                variable: "YANDEX_FOLDER_ID"),
            .init(
                name: "auth",
                description: "How the key is sent: api_key (Authorization: Api-Key, default) or iam (IAM token)"),
            .init(
                name: "data_logging", description: "false asks Yandex not to log requests (x-data-logging-enabled)",
                type: "boolean"),
        ],
        capabilities: [.embeddings, .classification])

    /// The HTTP client; tests lower its ``ProviderHTTPClient/limits``.
    var http: ProviderHTTPClient
    let retry: RetryPolicy
    let base: String
    let folder: String?

    /// Creates an adapter.
    ///
    /// - Parameters:
    ///   - configuration: Base URL, key, headers, timeout, retry count, and the `folder_id`, `auth` and
    ///     `data_logging` settings.
    ///   - client: The HTTP client; the shared one by default.
    ///   - retry: The retry policy; by default `configuration.maxRetries` retries with exponential backoff.
    /// - Throws: ``ProviderFactory/SetupError`` when `auth` is neither `api_key` nor `iam`.
    public init(configuration: ProviderConfiguration, client: HTTPClient = .trellis, retry: RetryPolicy? = nil) throws {
        let scheme: String
        switch configuration.setting("auth")?.lowercased() {
        case nil, "api_key", "api-key", "apikey": scheme = "Api-Key"
        case "iam", "bearer": scheme = "Bearer"
        case let other?:
            throw ProviderFactory.SetupError(
                message: "provider '\(configuration.name)': auth '\(other)' is not known; use api_key or iam")
        }
        var headers: [HTTPHeaderField] = []
        if let key = configuration.apiKey?.trimmingSpacesAndNewlines, !key.isEmpty {
            headers.append(HTTPHeaderField(name: "Authorization", value: "\(scheme) \(key)"))
        }
        let folder = configuration.setting("folder_id")?.trimmingSpacesAndNewlines
        self.folder = folder?.isEmpty == false ? folder : nil
        if let folder = self.folder { headers.append(HTTPHeaderField(name: "x-folder-id", value: folder)) }
        switch configuration.settings["data_logging"] {
        case .bool(false)?, .string("false")?:
            headers.append(HTTPHeaderField(name: "x-data-logging-enabled", value: "false"))
        default:
            break
        }
        self.http = ProviderHTTPClient(configuration: configuration, client: client, headers: headers)
        self.retry = retry ?? RetryPolicy(maxRetries: configuration.maxRetries)
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base + "/foundationModels/v1"
    }

    var name: String { http.configuration.name }

    /// The completion body for `request`.
    func completionBody(_ request: ModelRequest, stream: Bool) throws -> String {
        let uri = try YandexModelURI.resolve(request.model, scheme: .gpt, folder: folder, provider: name)
        return try YandexRequestEncoder.body(for: request, modelURI: uri, stream: stream, provider: name).serialized()
    }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let body = try completionBody(request, stream: false)
        do {
            return try await post("completion", body: body) { text, status in
                try YandexResponseDecoder.response(from: text, provider: name, status: status)
            }
        } catch let error as ProviderError where YandexResponseDecoder.isTopicRefusal(error) {
            return YandexResponseDecoder.refusal(http.redacting(error))
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let body: String
        do {
            body = try completionBody(request, stream: true)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        return YandexRefusalStream.wrap(
            http.eventStream(
                base + "/completion", body: body, accept: "application/json", retry: retry,
                decodeError: YandexResponseDecoder.errorMessage, decoder: YandexStreamDecoder(provider: name)))
    }

    /// Embeds each text with one `textEmbedding` request; `model` is `text-search-doc`, `text-search-query` or an
    /// `emb://` URI. Values may come as numbers or strings.
    public func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        let uri = try YandexModelURI.resolve(model, scheme: .emb, folder: folder, provider: name)
        var vectors: [[Double]] = []
        for text in texts {
            let body: JSONValue = ["modelUri": .string(uri), "text": .string(text)]
            vectors.append(
                try await post("textEmbedding", body: body.serialized()) { reply, status in
                    try YandexSideDecoder.embedding(from: reply, provider: name, status: status)
                })
        }
        return vectors
    }

    /// Classifies with `fewShotTextClassification`; `model` is `yandexgpt-lite`, `yandexgpt` or a `cls://` URI.
    public func classify(
        _ text: String, labels: [String], description: String, examples: [ClassificationExample], model: String
    ) async throws -> [ClassificationPrediction] {
        let uri = try YandexModelURI.resolve(model, scheme: .cls, folder: folder, provider: name)
        var body: JSONObject = [
            "modelUri": .string(uri), "taskDescription": .string(description),
            "labels": .array(labels.map(JSONValue.string)), "text": .string(text),
        ]
        if !examples.isEmpty {
            body["samples"] = .array(examples.map { ["text": .string($0.text), "label": .string($0.label)] })
        }
        return try await post("fewShotTextClassification", body: JSONValue.object(body).serialized()) { reply, status in
            try YandexSideDecoder.predictions(from: reply, provider: name, status: status)
        }
    }

    /// POSTs `body` to `{base}/foundationModels/v1/<method>` with retries and decodes the reply; errors never carry
    /// the key.
    private func post<T>(_ method: String, body: String, decode: (String, Int) throws -> T) async throws -> T {
        try await http.postDecoding(
            base + "/" + method, body: body, retry: retry, decodeError: YandexResponseDecoder.errorMessage,
            decode: decode)
    }
}
