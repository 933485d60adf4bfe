// The transcript's stored form (docs/sessions.md): snake_case keys, empty lists and absent values left out, content
// parts tagged by "type" as in the OpenAI wire format. It is part of RunState's schema: change it only with
// RunState.currentVersion.

extension ContentPart: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, text, url, detail
    }

    /// Reads `{"type": "text", "text"}` or `{"type": "image", "url", "detail"?}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "image":
            self = .image(
                url: try container.decode(String.self, forKey: .url),
                detail: try container.decodeIfPresent(String.self, forKey: .detail))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown content part type '\(other)' (text, image)")
        }
    }

    /// Writes the tagged form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .image(let url, let detail):
            try container.encode("image", forKey: .type)
            try container.encode(url, forKey: .url)
            try container.encodeIfPresent(detail, forKey: .detail)
        }
    }
}

extension ChatMessage: Codable {
    private enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
        case toolName = "tool_name"
        case reasoning
    }

    /// Reads a stored message.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            role: try container.decode(Role.self, forKey: .role),
            content: try container.decodeIfPresent([ContentPart].self, forKey: .content) ?? [],
            toolCalls: try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls) ?? [],
            toolCallID: try container.decodeIfPresent(String.self, forKey: .toolCallID),
            toolName: try container.decodeIfPresent(String.self, forKey: .toolName),
            reasoning: try container.decodeIfPresent(String.self, forKey: .reasoning))
    }

    /// Writes the message; empty lists and absent values are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        if !content.isEmpty { try container.encode(content, forKey: .content) }
        if !toolCalls.isEmpty { try container.encode(toolCalls, forKey: .toolCalls) }
        try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
        try container.encodeIfPresent(toolName, forKey: .toolName)
        try container.encodeIfPresent(reasoning, forKey: .reasoning)
    }
}

extension ToolOutput: Codable {
    private enum CodingKeys: String, CodingKey {
        case content
        case isError = "is_error"
        case handoff, usage
    }

    /// Reads a stored result.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try container.decode(String.self, forKey: .content),
            isError: try container.decodeIfPresent(Bool.self, forKey: .isError) ?? false)
        handoff = try container.decodeIfPresent(String.self, forKey: .handoff)
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
    }

    /// Writes the result; `is_error` only when it is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(content, forKey: .content)
        if isError { try container.encode(true, forKey: .isError) }
        try container.encodeIfPresent(handoff, forKey: .handoff)
        try container.encodeIfPresent(usage, forKey: .usage)
    }
}
