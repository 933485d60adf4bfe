import TrellisCore

/// Writes a ``ModelRequest`` as an Amvera body (PROVIDERS §7.2).
///
/// The OpenAI shape (gpt route) is OpenAI's body with each message's `content` renamed `text` and `max_tokens`
/// renamed `max_completion_tokens`; tools, `tool_choice` and `tool_calls` pass through as OpenAI writes them.
/// The Yandex shape (llama, deepseek, qwen) is `model`, Yandex messages, `completionOptions` when set, and
/// `jsonObject`/`jsonSchema`. Amvera marks tools unsupported on those routes, so offered tools are left out of the
/// body (the model answers in text) rather than failing the request; earlier tool turns in the transcript are sent
/// as Yandex `toolCallList`/`toolResultList` messages, which the route's schema has.
enum AmveraRequestEncoder {
    /// The request body.
    ///
    /// - Throws: ``ProviderFactory/SetupError`` when a message holds an image (Amvera takes text only).
    static func body(for request: ModelRequest, wire: AmveraWire, provider: String) throws -> JSONValue {
        try YandexRequestEncoder.rejectImages(in: request.messages, provider: provider)
        switch wire {
        case .openai: return .object(openAIBody(for: request))
        case .yandex: return .object(try yandexBody(for: request, provider: provider))
        }
    }

    static func openAIBody(for request: ModelRequest) -> JSONObject {
        let body = OpenAIRequestEncoder.body(for: request, stream: false).objectValue ?? [:]
        var result = renaming("max_tokens", to: "max_completion_tokens", in: body)
        if let messages = result["messages"]?.arrayValue {
            result["messages"] = .array(
                messages.map { message in
                    message.objectValue.map { .object(renaming("content", to: "text", in: $0)) } ?? message
                })
        }
        return result
    }

    static func yandexBody(for request: ModelRequest, provider: String) throws -> JSONObject {
        var body: JSONObject = ["model": .string(request.model)]
        body["messages"] = .array(try YandexRequestEncoder.messages(request.messages, provider: provider))
        let options = YandexRequestEncoder.completionOptions(request.options)
        if !options.isEmpty { body["completionOptions"] = .object(options) }
        for (key, value) in YandexRequestEncoder.responseFormat(request.options.responseFormat).members {
            body[key] = value
        }
        for (key, value) in request.options.extra.members { body[key] = value }
        return body
    }

    /// `object` with the member `old` renamed `new`, in the same position.
    static func renaming(_ old: String, to new: String, in object: JSONObject) -> JSONObject {
        JSONObject(object.members.map { ($0.key == old ? new : $0.key, $0.value) })
    }
}
