import TrellisCore

/// Reads the vectors of the embedding endpoints that are not Yandex's: OpenAI-compatible `/embeddings`
/// (`{"data":[{"index":0,"embedding":[...]}]}`) and Ollama's `/api/embed` (`{"embeddings":[[...]]}`).
enum EmbeddingReplyDecoder {
    /// The vectors of an OpenAI-compatible reply, in input order (by `index` when the reply gives one).
    static func openAI(from body: String, provider: String, status: Int, count: Int) throws -> [[Double]] {
        let json = try ReplyBody.parse(
            body, provider: provider, status: status, decodeError: OpenAIResponseDecoder.errorMessage)
        guard let items = json["data"]?.arrayValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no data", status: status, body: body)
        }
        var vectors = [[Double]?](repeating: nil, count: count)
        for (position, item) in items.enumerated() {
            let index = item["index"]?.intValue ?? position
            guard vectors.indices.contains(index) else {
                throw ProviderError.malformedResponse(
                    provider: provider, message: "an embedding has index \(index) for \(count) inputs", status: status,
                    body: body)
            }
            vectors[index] = try vector(item["embedding"], provider: provider, status: status, body: body)
        }
        return try complete(vectors, provider: provider, status: status, body: body)
    }

    /// The vectors of an Ollama `/api/embed` reply, in input order.
    static func ollama(from body: String, provider: String, status: Int, count: Int) throws -> [[Double]] {
        let json = try ReplyBody.parse(
            body, provider: provider, status: status, decodeError: OpenAIResponseDecoder.errorMessage)
        guard let items = json["embeddings"]?.arrayValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no embeddings", status: status, body: body)
        }
        let vectors = try items.map { try vector($0, provider: provider, status: status, body: body) }
        return try complete(
            vectors + [[Double]?](repeating: nil, count: max(0, count - vectors.count)),
            provider: provider, status: status, body: body)
    }

    private static func vector(_ value: JSONValue?, provider: String, status: Int, body: String) throws -> [Double] {
        guard let values = value?.arrayValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "an embedding is not a list of numbers", status: status, body: body)
        }
        return try values.map { value in
            guard let number = YandexSideDecoder.number(value) else {
                throw ProviderError.malformedResponse(
                    provider: provider, message: "an embedding value is not a number", status: status, body: body)
            }
            return number
        }
    }

    private static func complete(_ vectors: [[Double]?], provider: String, status: Int, body: String) throws
        -> [[Double]]
    {
        let found = vectors.compactMap { $0 }
        guard found.count == vectors.count else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has \(found.count) embeddings for \(vectors.count) inputs",
                status: status, body: body)
        }
        return found
    }
}

extension OpenAICompatibleProvider: EmbeddingProvider {
    /// `POST {base_url}/embeddings` with `{"model", "input": [texts]}`, with the chat endpoint's key, retries and
    /// limits.
    public func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        guard !texts.isEmpty else { return [] }
        let url =
            endpoint.hasSuffix("/chat/completions")
            ? String(endpoint.dropLast("/chat/completions".count)) + "/embeddings" : endpoint + "/embeddings"
        let body: JSONValue = ["model": .string(model), "input": .array(texts.map(JSONValue.string))]
        return try await http.postDecoding(
            url, body: body.serialized(), retry: retry, decodeError: OpenAIResponseDecoder.errorMessage
        ) { text, status in
            try EmbeddingReplyDecoder.openAI(from: text, provider: name, status: status, count: texts.count)
        }
    }
}

extension OllamaProvider: EmbeddingProvider {
    /// `POST {host}/api/embed` with `{"model", "input": [texts]}`.
    public func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        guard !texts.isEmpty else { return [] }
        let url = Self.apiRoot(http.configuration.baseURL) + "/api/embed"
        let body: JSONValue = ["model": .string(model), "input": .array(texts.map(JSONValue.string))]
        return try await http.postDecoding(
            url, body: body.serialized(), retry: retry, decodeError: OpenAIResponseDecoder.errorMessage
        ) { text, status in
            try EmbeddingReplyDecoder.ollama(from: text, provider: name, status: status, count: texts.count)
        }
    }
}
