import TrellisCore

/// Writes a ``ModelRequest`` as a Yandex `foundationModels/v1/completion` body (PROVIDERS §6.3).
///
/// Messages carry `text`; an assistant turn with tool calls becomes a `toolCallList` message and the `tool` results
/// after it one `toolResultList` message (role `assistant`, as in Yandex's docs), ordered as the calls were.
/// `topP`, `stop`, `seed` and `choices` have no Yandex field and are not sent; `extra` members are added at the top
/// level, except `reasoningOptions`, which goes into `completionOptions`.
enum YandexRequestEncoder {
    /// The request body.
    ///
    /// - Throws: ``ProviderFactory/SetupError`` when a message holds an image (the API takes text only).
    static func body(for request: ModelRequest, modelURI: String, stream: Bool, provider: String) throws -> JSONValue {
        var body = JSONObject()
        body["modelUri"] = .string(modelURI)
        var options = completionOptions(request.options)
        options["stream"] = .bool(stream)
        var extra = request.options.extra
        if let reasoning = extra["reasoningOptions"] {
            options["reasoningOptions"] = reasoning
            extra["reasoningOptions"] = nil
        }
        body["completionOptions"] = .object(JSONObject(options.members.sorted { order($0.key) < order($1.key) }))
        body["messages"] = .array(try messages(request.messages, provider: provider))
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "function": [
                            "name": .string(tool.name), "description": .string(tool.description),
                            "parameters": tool.parameters,
                        ]
                    ]
                })
            if let choice = request.toolChoice { body["toolChoice"] = toolChoice(choice) }
            if let parallel = request.parallelToolCalls { body["parallelToolCalls"] = .bool(parallel) }
        }
        for (key, value) in responseFormat(request.options.responseFormat).members { body[key] = value }
        for (key, value) in extra.members { body[key] = value }
        return .object(body)
    }

    /// `temperature` and `maxTokens` (an int64, so a string); `stream` is added by the caller.
    static func completionOptions(_ options: GenerationOptions) -> JSONObject {
        var object = JSONObject()
        if let value = options.temperature { object["temperature"] = .number(value) }
        if let value = options.maxTokens { object["maxTokens"] = .string(String(value)) }
        return object
    }

    /// Keeps `stream` first, as Yandex's examples write it.
    private static func order(_ key: String) -> Int {
        ["stream", "temperature", "maxTokens", "reasoningOptions"].firstIndex(of: key) ?? 4
    }

    static func toolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: return ["mode": "AUTO"]
        case .none: return ["mode": "NONE"]
        case .required: return ["mode": "REQUIRED"]
        case .function(let name): return ["functionName": .string(name)]
        }
    }

    /// `response_format` as Yandex's `jsonObject: true` or `jsonSchema: {schema}`; anything else adds nothing.
    static func responseFormat(_ format: JSONValue?) -> JSONObject {
        switch format?["type"]?.stringValue {
        case "json_object":
            return ["jsonObject": true]
        case "json_schema":
            let schema = format?["json_schema"]?["schema"] ?? format?["schema"] ?? [:]
            return ["jsonSchema": ["schema": schema]]
        default:
            return [:]
        }
    }

    /// The transcript as Yandex messages.
    ///
    /// - Throws: ``ProviderFactory/SetupError`` for a message with an image part.
    static func messages(_ messages: [ChatMessage], provider: String) throws -> [JSONValue] {
        try rejectImages(in: messages, provider: provider)
        var result: [JSONValue] = []
        var pendingResults: [ChatMessage] = []
        var callOrder: [String: Int] = [:]
        var callNames: [String: String] = [:]
        func flushResults() {
            guard !pendingResults.isEmpty else { return }
            let ordered = pendingResults.enumerated().sorted { lhs, rhs in
                let left = callOrder[lhs.element.toolCallID ?? ""] ?? Int.max
                let right = callOrder[rhs.element.toolCallID ?? ""] ?? Int.max
                return left == right ? lhs.offset < rhs.offset : left < right
            }
            let results: [JSONValue] = ordered.map { _, message in
                let name = message.toolName ?? callNames[message.toolCallID ?? ""] ?? ""
                return ["functionResult": ["name": .string(name), "content": .string(message.text)]]
            }
            result.append(["role": "assistant", "toolResultList": ["toolResults": .array(results)]])
            pendingResults.removeAll()
        }
        for message in messages {
            if message.role == .tool {
                pendingResults.append(message)
                continue
            }
            flushResults()
            switch message.role {
            case .system, .user:
                result.append(["role": .string(message.role.rawValue), "text": .string(message.text)])
            case .assistant where message.toolCalls.isEmpty:
                result.append(["role": "assistant", "text": .string(message.text)])
            case .assistant:
                // A message holds text or tool calls, never both (a proto oneof): text goes in a message before.
                if !message.text.isEmpty { result.append(["role": "assistant", "text": .string(message.text)]) }
                callOrder = [:]
                for (position, call) in message.toolCalls.enumerated() {
                    callOrder[call.id] = position
                    callNames[call.id] = call.name
                }
                let calls: [JSONValue] = message.toolCalls.map { call in
                    ["functionCall": ["name": .string(call.name), "arguments": argumentsObject(call.arguments)]]
                }
                result.append(["role": "assistant", "toolCallList": ["toolCalls": .array(calls)]])
            case .tool:
                break
            }
        }
        flushResults()
        return result
    }

    /// Throws when a message holds an image: Yandex-shaped APIs (and Amvera's) take text messages only.
    ///
    /// - Throws: ``ProviderError/unsupportedRequest(provider:message:)`` naming the provider.
    static func rejectImages(in messages: [ChatMessage], provider: String) throws {
        for message in messages where message.content.contains(where: { if case .image = $0 { true } else { false } }) {
            throw ProviderError.unsupportedRequest(
                provider: provider,
                message: "cannot send images: its API takes text messages only; "
                    + "remove the image or use a vision model of another provider")
        }
    }

    /// Arguments as the JSON object Yandex wants (a protobuf `Struct`); text that is not an object becomes `{}`.
    static func argumentsObject(_ arguments: String) -> JSONValue {
        guard let value = try? JSONValue.parse(arguments), value.objectValue != nil else { return [:] }
        return value
    }
}
