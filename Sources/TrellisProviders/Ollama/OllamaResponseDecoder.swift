import TrellisCore

/// Reads a non-streamed Ollama `/api/chat` reply: one object with `done: true`.
enum OllamaResponseDecoder {
    /// Decodes the body; an `{"error": ...}` body is the vendor's error.
    static func response(from body: String, provider: String, status: Int) throws -> ModelResponse {
        let json = try ReplyBody.parse(
            body, provider: provider, status: status, decodeError: OpenAIResponseDecoder.errorMessage)
        guard json["message"]?.objectValue != nil else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no message", status: status, body: body)
        }
        var accumulator = OllamaChatAccumulator(provider: provider)
        _ = try accumulator.consume(json, source: body, status: status)
        return accumulator.response()
    }
}
