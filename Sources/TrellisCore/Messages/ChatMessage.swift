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
    public var role: Role
    /// Text and image parts.
    public var content: [ContentPart]
    /// The tools the assistant asked to call (assistant messages only).
    public var toolCalls: [ToolCall]
    /// The call this message answers (tool messages only).
    public var toolCallID: String?
    /// The name of the tool that produced this result (tool messages only).
    public var toolName: String?
    /// Reasoning the model reported next to its answer; kept for display, never sent back to a provider.
    public var reasoning: String?

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
