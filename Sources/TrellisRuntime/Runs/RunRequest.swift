import TrellisCore

/// What a queued run is asked to do, read from its stored request (``RunSubmission/request``).
///
/// Two shapes are accepted. The runs API's: `{"input": "text" | [parts], "params": {name: value}, "stream": bool}`,
/// where parts are OpenAI's (`{"type": "text", "text"}`, `{"type": "image_url", "image_url": {"url"}}`). The
/// chat completions endpoint's: `{"messages": [...]}` in OpenAI's shape; the last message must be the user's, and
/// the ones before it are the conversation so far. A client's `system` messages are added to the agent's own
/// prompt, after it.
public struct RunRequest: Sendable, Hashable {
    /// The user's message.
    public var input: [ContentPart]
    /// The conversation before it (no system messages), from `messages`.
    public var history: [ChatMessage]
    /// What clients' system messages say, added to the agent's prompt.
    public var system: String?
    /// The agent's parameters.
    public var params: [String: String]
    /// Whether the model's replies are streamed (text arrives as `text.delta` events); default `true`.
    public var stream: Bool

    /// Reads a request.
    ///
    /// - Throws: ``RunRequestError`` naming the field that is wrong.
    public init(_ json: JSONValue) throws(RunRequestError) {
        guard let object = json.objectValue else { throw RunRequestError("the body must be a JSON object") }
        params = try Self.params(object["params"])
        switch object["stream"] {
        case nil, .null?: stream = true
        case .bool(let value)?: stream = value
        default: throw RunRequestError("'stream' must be true or false")
        }
        if let messages = object["messages"] {
            guard object["input"] == nil else { throw RunRequestError("give 'input' or 'messages', not both") }
            guard let list = messages.arrayValue, !list.isEmpty else {
                throw RunRequestError("'messages' must be a non-empty array")
            }
            var history: [ChatMessage] = []
            var system: [String] = []
            for (index, item) in list.enumerated() {
                let message = try Self.message(item, at: index)
                if message.role == .system {
                    system.append(message.text)
                } else {
                    history.append(message)
                }
            }
            guard let last = history.last, last.role == .user else {
                throw RunRequestError("'messages': the last message must be the user's (role 'user')")
            }
            history.removeLast()
            self.input = last.content
            self.history = history
            self.system = system.isEmpty ? nil : system.joined(separator: "\n\n")
            return
        }
        guard let input = object["input"] else { throw RunRequestError("'input' is required") }
        self.input = try Self.content(input, field: "input")
        guard !self.input.isEmpty else { throw RunRequestError("'input' is empty") }
        history = []
        system = nil
    }

    private static func params(_ value: JSONValue?) throws(RunRequestError) -> [String: String] {
        guard let value, !value.isNull else { return [:] }
        guard let object = value.objectValue else { throw RunRequestError("'params' must be an object") }
        var params: [String: String] = [:]
        for (name, value) in object.members {
            switch value {
            case .string(let text): params[name] = text
            case .integer, .number, .bool: params[name] = value.serialized()
            default: throw RunRequestError("'params.\(name)' must be a string, a number or a boolean")
            }
        }
        return params
    }

    private static func message(_ value: JSONValue, at index: Int) throws(RunRequestError) -> ChatMessage {
        let field = "messages[\(index)]"
        guard let object = value.objectValue, let roleName = object["role"]?.stringValue else {
            throw RunRequestError("'\(field)' must be an object with a 'role'")
        }
        guard let role = Role(rawValue: roleName == "developer" ? "system" : roleName) else {
            throw RunRequestError(
                "'\(field).role' is '\(roleName)'; it must be system, developer, user, assistant or tool")
        }
        let content =
            try object["content"].map { value throws(RunRequestError) in
                value.isNull ? [] : try Self.content(value, field: "\(field).content")
            } ?? []
        switch role {
        case .assistant:
            var calls: [ToolCall] = []
            for (position, call) in (object["tool_calls"]?.arrayValue ?? []).enumerated() {
                guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                    throw RunRequestError("'\(field).tool_calls[\(position)]' needs an 'id' and a 'function.name'")
                }
                calls.append(
                    ToolCall(id: id, name: name, arguments: call["function"]?["arguments"]?.stringValue ?? "{}"))
            }
            return ChatMessage(role: .assistant, content: content, toolCalls: calls)
        case .tool:
            guard let id = object["tool_call_id"]?.stringValue else {
                throw RunRequestError("'\(field)' (role tool) needs a 'tool_call_id'")
            }
            return ChatMessage(role: .tool, content: content, toolCallID: id, toolName: object["name"]?.stringValue)
        case .system, .user:
            return ChatMessage(role: role, content: content)
        }
    }

    /// Text, or OpenAI's content parts.
    private static func content(_ value: JSONValue, field: String) throws(RunRequestError) -> [ContentPart] {
        if let text = value.stringValue { return text.isEmpty ? [] : [.text(text)] }
        guard let parts = value.arrayValue else {
            throw RunRequestError("'\(field)' must be a string or an array of content parts")
        }
        var content: [ContentPart] = []
        for (index, part) in parts.enumerated() {
            switch part["type"]?.stringValue {
            case "text":
                guard let text = part["text"]?.stringValue else {
                    throw RunRequestError("'\(field)[\(index)].text' must be a string")
                }
                content.append(.text(text))
            case "image_url":
                guard let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else {
                    throw RunRequestError("'\(field)[\(index)].image_url.url' must be a string")
                }
                content.append(.image(url: url, detail: part["image_url"]?["detail"]?.stringValue))
            default:
                throw RunRequestError("'\(field)[\(index)].type' must be 'text' or 'image_url'")
            }
        }
        return content
    }
}

/// A run request that cannot be read; the message names the field.
public struct RunRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
