import TrellisCore

/// Writes a ``ModelRequest`` as an Ollama `/api/chat` body (PROVIDERS §8).
///
/// Sampling goes under `options` (`num_predict` for the token limit), `stream` is always written (Ollama streams
/// by default), tool-call arguments are sent as objects, tool results carry `tool_name`, and images go as bare
/// base64 in `images`. `response_format` becomes `format` (`"json"` or the JSON schema). Ollama has no
/// `tool_choice`, `parallel_tool_calls` or `n`; they are left out.
enum OllamaRequestEncoder {
    /// The body; `settings` are the provider's kind settings (`keep_alive`, `num_ctx`).
    ///
    /// - Throws: ``ProviderError/unsupportedRequest(provider:message:)`` for an image given by URL rather than as a base64 `data:` URI.
    static func body(for request: ModelRequest, stream: Bool, settings: JSONObject, provider: String) throws
        -> JSONValue
    {
        var body = JSONObject()
        body["model"] = .string(request.model)
        body["messages"] = .array(try request.messages.map { try message($0, provider: provider) })
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(OpenAIRequestEncoder.tool))
        }
        body["stream"] = .bool(stream)
        if let format = request.options.responseFormat.flatMap(format) { body["format"] = format }
        let options = self.options(request.options, settings: settings)
        if !options.isEmpty { body["options"] = .object(options) }
        if let keepAlive = settings["keep_alive"].flatMap(keepAlive) { body["keep_alive"] = keepAlive }
        for (key, value) in request.options.extra.members { body[key] = value }
        return .object(body)
    }

    /// The `options` object: sampling settings and the `num_ctx` setting.
    static func options(_ options: GenerationOptions, settings: JSONObject) -> JSONObject {
        var object = JSONObject()
        if let value = options.temperature { object["temperature"] = .number(value) }
        if let value = options.topP { object["top_p"] = .number(value) }
        if let value = options.maxTokens { object["num_predict"] = .integer(value) }
        if let value = options.stop, !value.isEmpty { object["stop"] = .array(value.map(JSONValue.string)) }
        if let value = options.seed { object["seed"] = .integer(value) }
        if let value = settings["num_ctx"]?.intValue { object["num_ctx"] = .integer(value) }
        return object
    }

    /// `keep_alive` as Ollama parses it: a duration string (`5m`) or a number of seconds (`-1` keeps the model
    /// loaded); numeric text, as an environment variable gives it, is sent as a number.
    static func keepAlive(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .string(let text) where text.isEmpty: return nil
        case .string(let text): return Int(text).map(JSONValue.integer) ?? .string(text)
        case .null: return nil
        default: return value
        }
    }

    /// `format` from an OpenAI-style `response_format`: `json_object` → `"json"`, `json_schema` → its schema;
    /// a bare string or schema is passed through, `text` means none.
    static func format(_ responseFormat: JSONValue) -> JSONValue? {
        guard responseFormat.objectValue != nil else { return responseFormat.isNull ? nil : responseFormat }
        switch responseFormat["type"]?.stringValue {
        case "json_object": return "json"
        case "json_schema": return responseFormat["json_schema"]?["schema"]
        case "text": return nil
        default: return responseFormat
        }
    }

    static func message(_ message: ChatMessage, provider: String) throws -> JSONValue {
        var object: JSONObject = ["role": .string(message.role.rawValue), "content": .string(message.text)]
        var images: [JSONValue] = []
        for case .image(let url, _) in message.content {
            guard let data = DataURI(url), data.isBase64 else {
                throw ProviderError.unsupportedRequest(
                    provider: provider,
                    message: "Ollama takes images only as base64 data: URIs; cannot send \(url.prefix(60))")
            }
            images.append(.string(data.payload))
        }
        if !images.isEmpty { object["images"] = .array(images) }
        if message.role == .assistant, !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(
                message.toolCalls.map { call in
                    [
                        "function": [
                            "name": .string(call.name), "arguments": ToolArgumentsObject.object(from: call.arguments),
                        ]
                    ]
                })
        }
        if message.role == .tool, let name = message.toolName { object["tool_name"] = .string(name) }
        return .object(object)
    }
}
