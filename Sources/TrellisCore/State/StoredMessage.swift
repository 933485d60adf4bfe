// The transcript's stored form (TranscriptCoding.swift, docs/sessions.md) written and read without a Coder: a
// checkpoint is taken several times a turn and a resumed session reads every message, and JSONEncoder and
// JSONDecoder take ten times as long as these for the same text. Both say exactly what the Codable conformance
// says; StoredMessage tests hold them to it.

/// A stored message or state that does not have the stored form; the path names the place
/// (`transcript[3].tool_calls[0].name`).
package struct StoredFormError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the stored JSON.
    package var path: String
    /// What is wrong there.
    package var problem: String

    /// Creates the error.
    package init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    /// `path: problem`.
    package var description: String { "\(path): \(problem)" }
}

extension ChatMessage {
    /// Writes the message's stored form at the end of `output`, keys in the order ``encode(to:)`` writes them.
    package func writeStored(to output: inout String) {
        output += #"{"role":""#
        output += role.rawValue
        output += "\""
        if !content.isEmpty {
            output += #","content":["#
            for (index, part) in content.enumerated() {
                if index > 0 { output += "," }
                switch part {
                case .text(let text):
                    output += #"{"type":"text","text":"#
                    JSONValue.writeString(text, to: &output)
                case .image(let url, let detail):
                    output += #"{"type":"image","url":"#
                    JSONValue.writeString(url, to: &output)
                    if let detail {
                        output += #","detail":"#
                        JSONValue.writeString(detail, to: &output)
                    }
                }
                output += "}"
            }
            output += "]"
        }
        if !toolCalls.isEmpty {
            output += #","tool_calls":["#
            for (index, call) in toolCalls.enumerated() {
                if index > 0 { output += "," }
                output += #"{"id":"#
                JSONValue.writeString(call.id, to: &output)
                output += #","name":"#
                JSONValue.writeString(call.name, to: &output)
                output += #","arguments":"#
                JSONValue.writeString(call.arguments, to: &output)
                output += "}"
            }
            output += "]"
        }
        func member(_ key: String, _ value: String?) {
            guard let value else { return }
            output += key
            JSONValue.writeString(value, to: &output)
        }
        member(#","tool_call_id":"#, toolCallID)
        member(#","tool_name":"#, toolName)
        member(#","reasoning":"#, reasoning)
        output += "}"
    }

    /// Reads a message's stored form.
    ///
    /// - Throws: ``StoredFormError`` naming the field below `path` that is missing or of the wrong kind.
    package init(stored value: JSONValue, at path: String) throws(StoredFormError) {
        let object = try Self.object(value, at: path)
        let roleName = try Self.string(object["role"], at: path + ".role")
        guard let role = Role(rawValue: roleName) else {
            throw StoredFormError(
                path: path + ".role", problem: "unknown role '\(roleName)' (system, user, assistant, tool)")
        }
        var content: [ContentPart] = []
        for (index, part) in try Self.array(object["content"], at: path + ".content").enumerated() {
            let at = "\(path).content[\(index)]"
            let fields = try Self.object(part, at: at)
            switch try Self.string(fields["type"], at: at + ".type") {
            case "text": content.append(.text(try Self.string(fields["text"], at: at + ".text")))
            case "image":
                content.append(
                    .image(
                        url: try Self.string(fields["url"], at: at + ".url"),
                        detail: try Self.optionalString(fields["detail"], at: at + ".detail")))
            case let other:
                throw StoredFormError(path: at + ".type", problem: "unknown content part type '\(other)' (text, image)")
            }
        }
        var toolCalls: [ToolCall] = []
        for (index, call) in try Self.array(object["tool_calls"], at: path + ".tool_calls").enumerated() {
            let at = "\(path).tool_calls[\(index)]"
            let fields = try Self.object(call, at: at)
            toolCalls.append(
                ToolCall(
                    id: try Self.string(fields["id"], at: at + ".id"),
                    name: try Self.string(fields["name"], at: at + ".name"),
                    arguments: try Self.string(fields["arguments"], at: at + ".arguments")))
        }
        self.init(
            role: role, content: content, toolCalls: toolCalls,
            toolCallID: try Self.optionalString(object["tool_call_id"], at: path + ".tool_call_id"),
            toolName: try Self.optionalString(object["tool_name"], at: path + ".tool_name"),
            reasoning: try Self.optionalString(object["reasoning"], at: path + ".reasoning"))
    }

    private static func object(_ value: JSONValue, at path: String) throws(StoredFormError) -> JSONObject {
        guard case .object(let object) = value else {
            throw StoredFormError(path: path, problem: "expected an object, found \(value.typeName)")
        }
        return object
    }

    /// The elements of an array that may be left out (an empty list is).
    private static func array(_ value: JSONValue?, at path: String) throws(StoredFormError) -> [JSONValue] {
        switch value {
        case nil, .null?: return []
        case .array(let elements)?: return elements
        case let other?: throw StoredFormError(path: path, problem: "expected an array, found \(other.typeName)")
        }
    }

    private static func string(_ value: JSONValue?, at path: String) throws(StoredFormError) -> String {
        guard let value else { throw StoredFormError(path: path, problem: "missing") }
        guard case .string(let text) = value else {
            throw StoredFormError(path: path, problem: "expected a string, found \(value.typeName)")
        }
        return text
    }

    private static func optionalString(_ value: JSONValue?, at path: String) throws(StoredFormError) -> String? {
        switch value {
        case nil, .null?: return nil
        case let value?: return try string(value, at: path)
        }
    }
}
