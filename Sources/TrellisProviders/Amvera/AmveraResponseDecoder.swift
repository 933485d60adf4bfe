import TrellisCore

/// Reads Amvera replies (PROVIDERS §7.3), whatever the route: an OpenAI `chat.completion` whose message may carry
/// `text` instead of `content` (gpt), or a Yandex-shaped reply with `result.alternatives` or top-level
/// `alternatives` and string counters (llama, deepseek, qwen — deepseek has been seen answering both ways).
enum AmveraResponseDecoder {
    /// Decodes a reply body.
    static func response(from body: String, provider: String, status: Int, maxTokens: Int?) throws -> ModelResponse {
        let json = try ReplyBody.parse(body, provider: provider, status: status, decodeError: errorMessage)
        if let choices = json["choices"]?.arrayValue {
            return try openAIResponse(
                json, choices: choices, body: body, provider: provider, status: status,
                maxTokens: maxTokens)
        }
        if YandexResponseDecoder.envelope(json)["alternatives"] != nil {
            return try YandexResponseDecoder.response(from: body, provider: provider, status: status)
        }
        throw ProviderError.malformedResponse(
            provider: provider, message: "the reply has neither choices nor alternatives", status: status, body: body)
    }

    /// An OpenAI-shaped reply; a message with `text` and no `content` is read as if `text` were `content`.
    private static func openAIResponse(
        _ json: JSONValue, choices: [JSONValue], body: String, provider: String, status: Int, maxTokens: Int?
    ) throws -> ModelResponse {
        guard var choice = choices.first?.objectValue, var message = choice["message"]?.objectValue,
            let text = message["text"], message["content"] == nil || message["content"]?.isNull == true,
            var object = json.objectValue
        else {
            return try OpenAIResponseDecoder.response(
                from: body, provider: provider, status: status, maxTokens: maxTokens)
        }
        message["content"] = text
        choice["message"] = .object(message)
        object["choices"] = .array([.object(choice)] + choices.dropFirst())
        var response = try OpenAIResponseDecoder.response(
            from: JSONValue.object(object).serialized(), provider: provider, status: status, maxTokens: maxTokens)
        response.quirks.append("message text in 'text'")
        return response
    }

    /// The message and code of an error body: Yandex's and OpenAI's forms, `{"message"}`, `{"detail"}`, a
    /// Yandex-shaped reply whose text is the message (Amvera's 401 has been seen so), or the raw text: Amvera does
    /// not document its error bodies.
    static func errorMessage(from body: String) -> (message: String, code: String?) {
        if let json = try? JSONValue.parse(body), json["error"] == nil, json["message"] == nil {
            if let detail = json["detail"]?.stringValue { return (detail, nil) }
            let alternative = YandexResponseDecoder.envelope(json)["alternatives"]?.arrayValue?.first
            if let text = alternative?["message"]?["text"]?.stringValue, !text.isEmpty { return (text, nil) }
        }
        return YandexResponseDecoder.errorMessage(from: body)
    }
}
