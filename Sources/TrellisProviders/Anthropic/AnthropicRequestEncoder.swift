import TrellisCore

/// Writes a ``ModelRequest`` as an Anthropic Messages body (PROVIDERS §9).
///
/// System messages become the top-level `system` string; tool calls become `tool_use` blocks and tool results
/// `tool_result` blocks in a user message; consecutive messages of the same role are merged, with tool results
/// first as the API requires. Reasoning is never sent back. `seed`, `n` and `response_format` have no Messages
/// equivalent and are left out (`extra` can carry vendor fields).
enum AnthropicRequestEncoder {
    /// `max_tokens` when the request sets none: the API requires one.
    static let defaultMaxTokens = 4096

    static func body(for request: ModelRequest, stream: Bool) -> JSONValue {
        var body = JSONObject()
        body["model"] = .string(request.model)
        body["max_tokens"] = .integer(request.options.maxTokens ?? defaultMaxTokens)
        let system = request.messages.filter { $0.role == .system }.map(\.text).filter { !$0.isEmpty }
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        body["messages"] = .array(messages(request.messages))
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "name": .string(tool.name), "description": .string(tool.description),
                        "input_schema": tool.parameters,
                    ]
                })
            if let choice = toolChoice(request.toolChoice, parallel: request.parallelToolCalls) {
                body["tool_choice"] = .object(choice)
            }
        }
        let options = request.options
        if let value = options.temperature { body["temperature"] = .number(value) }
        if let value = options.topP { body["top_p"] = .number(value) }
        if let value = options.stop, !value.isEmpty { body["stop_sequences"] = .array(value.map(JSONValue.string)) }
        if stream { body["stream"] = true }
        for (key, value) in options.extra.members { body[key] = value }
        return .object(body)
    }

    /// `tool_choice`; `parallel: false` adds `disable_parallel_tool_use`, with `auto` when no choice was given.
    static func toolChoice(_ choice: ToolChoice?, parallel: Bool?) -> JSONObject? {
        var object: JSONObject?
        switch choice {
        case .auto?: object = ["type": "auto"]
        case .none?: object = ["type": "none"]
        case .required?: object = ["type": "any"]
        case .function(let name)?: object = ["type": "tool", "name": .string(name)]
        case nil: object = nil
        }
        if parallel == false, choice != ToolChoice.none {
            var withFlag = object ?? ["type": "auto"]
            withFlag["disable_parallel_tool_use"] = true
            object = withFlag
        }
        return object
    }

    /// The transcript without system messages, as alternating user and assistant turns.
    static func messages(_ messages: [ChatMessage]) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages where message.role != .system {
            let role = message.role == .assistant ? "assistant" : "user"
            let blocks = blocks(message)
            if blocks.isEmpty { continue }
            if turns.last?.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { turn in
            // Tool results must open the user turn that answers the calls.
            let results = turn.blocks.filter { $0["type"] == "tool_result" }
            let others = turn.blocks.filter { $0["type"] != "tool_result" }
            let blocks = results + others
            if blocks.count == 1, blocks[0]["type"] == "text", let text = blocks[0]["text"] {
                return ["role": .string(turn.role), "content": text]
            }
            return ["role": .string(turn.role), "content": .array(blocks)]
        }
    }

    /// The content blocks of one message; empty text is left out (the API rejects empty text blocks).
    static func blocks(_ message: ChatMessage) -> [JSONValue] {
        if message.role == .tool {
            var result: JSONObject = ["type": "tool_result", "tool_use_id": .string(message.toolCallID ?? "")]
            let text = message.text
            if !text.isEmpty { result["content"] = .string(text) }
            return [.object(result)]
        }
        var blocks: [JSONValue] = []
        for part in message.content {
            switch part {
            case .text(let text) where text.isEmpty:
                continue
            case .text(let text):
                if let last = blocks.last, last["type"] == "text", let previous = last["text"]?.stringValue {
                    blocks[blocks.count - 1] = ["type": "text", "text": .string(previous + text)]
                } else {
                    blocks.append(["type": "text", "text": .string(text)])
                }
            case .image(let url, _):
                blocks.append(image(url))
            }
        }
        for call in message.toolCalls {
            blocks.append([
                "type": "tool_use", "id": .string(call.id), "name": .string(call.name),
                "input": ToolArgumentsObject.object(from: call.arguments),
            ])
        }
        return blocks
    }

    /// An image block: base64 for a `data:` URI, by URL otherwise.
    static func image(_ url: String) -> JSONValue {
        if let data = DataURI(url), data.isBase64 {
            return [
                "type": "image",
                "source": ["type": "base64", "media_type": .string(data.mediaType), "data": .string(data.payload)],
            ]
        }
        return ["type": "image", "source": ["type": "url", "url": .string(url)]]
    }
}
