import TrellisCore

/// Writes a ``ModelRequest`` as an OpenAI Chat Completions body.
enum OpenAIRequestEncoder {
    /// The name under which a message's encoding is cached (``EncodedMessage``).
    static let format = "openai"

    /// The body as JSON text, with `fields` (a dialect's settings) over the request's own.
    ///
    /// The bytes are exactly those of ``body(for:stream:)`` with `fields` set on it, serialised; but each message is
    /// written once and its text kept in the message, so a turn costs a copy of the transcript and not its encoding.
    static func text(for request: ModelRequest, stream: Bool, fields: JSONObject = JSONObject()) -> String {
        var body = object(for: request, stream: stream, messages: .null)
        for (key, value) in fields.members { body[key] = value }
        guard request.options.extra["messages"] == nil, fields["messages"] == nil else {
            // Someone set `messages` by hand: theirs is the value, in the place the transcript would have had.
            return JSONValue.object(body).serialized()
        }
        return body.serialized(writing: messagesText(request.messages), asValueOf: "messages")
    }

    /// The transcript as a JSON array, from each message's cached text.
    static func messagesText(_ messages: [ChatMessage]) -> String {
        let texts = messages.map { item in item.encoded.text(format: format) { message(item).serialized() } }
        return "[" + texts.joined(separator: ",") + "]"
    }

    /// The body as a JSON tree (without a dialect's fields).
    static func body(for request: ModelRequest, stream: Bool) -> JSONValue {
        .object(object(for: request, stream: stream, messages: .array(request.messages.map(message))))
    }

    /// The body's members in their order, with `messages` as the transcript's value.
    private static func object(for request: ModelRequest, stream: Bool, messages: JSONValue) -> JSONObject {
        var body = JSONObject()
        body["model"] = .string(request.model)
        body["messages"] = messages
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(tool))
            if let choice = request.toolChoice { body["tool_choice"] = toolChoice(choice) }
            if let parallel = request.parallelToolCalls { body["parallel_tool_calls"] = .bool(parallel) }
        }
        let options = request.options
        if let value = options.temperature { body["temperature"] = .number(value) }
        if let value = options.topP { body["top_p"] = .number(value) }
        if let value = options.maxTokens { body["max_tokens"] = .integer(value) }
        if let value = options.stop { body["stop"] = .array(value.map(JSONValue.string)) }
        if let value = options.choices { body["n"] = .integer(value) }
        if let value = options.seed { body["seed"] = .integer(value) }
        if let value = options.responseFormat { body["response_format"] = value }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        for (key, value) in options.extra.members { body[key] = value }
        return body
    }

    /// A tool as a `{"type": "function", "function": {...}}` entry, which Ollama's chat API takes too.
    static func tool(_ tool: ToolDefinition) -> JSONValue {
        [
            "type": "function",
            "function": [
                "name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters,
            ],
        ]
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: return "auto"
        case .none: return "none"
        case .required: return "required"
        case .function(let name): return ["type": "function", "function": ["name": .string(name)]]
        }
    }

    static func message(_ message: ChatMessage) -> JSONValue {
        var object = JSONObject()
        object["role"] = .string(message.role.rawValue)
        switch message.role {
        case .system:
            object["content"] = .string(message.text)
        case .user:
            object["content"] = content(message.content)
        case .assistant:
            let text = message.text
            // Always a string, "" beside tool calls without text: OpenAI accepts it, and llama-cpp-python's server
            // rejects null (HTTP 500) and fails on a missing key (seen with the real server, see PEERS.md).
            object["content"] = .string(text)
            if !message.toolCalls.isEmpty {
                object["tool_calls"] = .array(
                    message.toolCalls.map { call in
                        [
                            "id": .string(call.id), "type": "function",
                            "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                        ]
                    })
            }
        case .tool:
            object["tool_call_id"] = .string(message.toolCallID ?? "")
            object["content"] = .string(message.text)
        }
        return .object(object)
    }

    /// A plain string when the content is one text part, else an array of typed parts.
    static func content(_ parts: [ContentPart]) -> JSONValue {
        if parts.count == 1, case .text(let text) = parts[0] { return .string(text) }
        return .array(
            parts.map { part in
                switch part {
                case .text(let text):
                    return ["type": "text", "text": .string(text)]
                case .image(let url, let detail):
                    var image: JSONObject = ["url": .string(url)]
                    if let detail { image["detail"] = .string(detail) }
                    return ["type": "image_url", "image_url": .object(image)]
                }
            })
    }
}
