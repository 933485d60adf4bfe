/// Who wrote a message in a transcript.
public enum Role: String, Sendable, Hashable, Codable {
    /// Instructions for the model.
    case system
    /// The user's input.
    case user
    /// The model's reply.
    case assistant
    /// The result of one tool call.
    case tool
}

/// One part of a message's content.
public enum ContentPart: Sendable, Hashable {
    /// Plain text.
    case text(String)
    /// An image, by `https:` URL or `data:` URI, with an optional detail hint (`low`, `high`, `auto`).
    case image(url: String, detail: String? = nil)
}

/// One message of a transcript.
///
/// Assistant messages may carry ``toolCalls``; every call is answered by exactly one `tool` message whose
/// ``toolCallID`` names it.
public struct ChatMessage: Sendable, Hashable {
    /// Who wrote the message.
    public var role: Role { didSet { encoded = EncodedMessage() } }
    /// Text and image parts.
    public var content: [ContentPart] { didSet { encoded = EncodedMessage() } }
    /// The tools the assistant asked to call (assistant messages only).
    public var toolCalls: [ToolCall] { didSet { encoded = EncodedMessage() } }
    /// The call this message answers (tool messages only).
    public var toolCallID: String? { didSet { encoded = EncodedMessage() } }
    /// The name of the tool that produced this result (tool messages only).
    public var toolName: String? { didSet { encoded = EncodedMessage() } }
    /// Reasoning the model reported next to its answer; kept for display, never sent back to a provider.
    public var reasoning: String? { didSet { encoded = EncodedMessage() } }
    /// The message as an adapter last encoded it; not part of the message's value.
    package private(set) var encoded = EncodedMessage()

    /// Creates a message.
    public init(
        role: Role,
        content: [ContentPart],
        toolCalls: [ToolCall] = [],
        toolCallID: String? = nil,
        toolName: String? = nil,
        reasoning: String? = nil
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.toolName = toolName
        self.reasoning = reasoning
    }

    /// Whether two messages have the same fields (however each was last encoded).
    public static func == (lhs: ChatMessage, rhs: ChatMessage) -> Bool {
        lhs.role == rhs.role && lhs.content == rhs.content && lhs.toolCalls == rhs.toolCalls
            && lhs.toolCallID == rhs.toolCallID && lhs.toolName == rhs.toolName && lhs.reasoning == rhs.reasoning
    }

    /// Hashes the fields that ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(role)
        hasher.combine(content)
        hasher.combine(toolCalls)
        hasher.combine(toolCallID)
        hasher.combine(toolName)
        hasher.combine(reasoning)
    }

    /// The concatenated text parts.
    public var text: String {
        var result = ""
        for case .text(let text) in content { result += text }
        return result
    }

    /// A system message.
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: [.text(text)]) }

    /// A user message with text only.
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: [.text(text)]) }

    /// A user message with several parts.
    public static func user(_ parts: [ContentPart]) -> ChatMessage { ChatMessage(role: .user, content: parts) }

    /// An assistant message.
    public static func assistant(_ text: String, toolCalls: [ToolCall] = [], reasoning: String? = nil) -> ChatMessage {
        ChatMessage(
            role: .assistant, content: text.isEmpty ? [] : [.text(text)], toolCalls: toolCalls, reasoning: reasoning)
    }

    /// The result of one tool call.
    public static func tool(callID: String, name: String, content: String) -> ChatMessage {
        ChatMessage(role: .tool, content: [.text(content)], toolCallID: callID, toolName: name)
    }
}
