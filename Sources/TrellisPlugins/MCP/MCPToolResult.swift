import TrellisCore

/// Turns a `tools/call` answer into what the model sees.
///
/// Text content is joined with newlines; other content is described (`[image: image/png, 1234 bytes]`);
/// `structuredContent` is used when there is no text. `isError: true` results and JSON-RPC error objects both
/// become error results that name the server and the tool.
enum MCPToolResult {
    /// The model's view of a response.
    static func output(of response: MCPResponse, server: String, tool: String) -> ToolOutput {
        let prefix = "MCP server '\(server)', tool '\(tool)': "
        switch response {
        case .error(let code, let message, let data):
            var text = prefix + "error \(code): \(message)"
            if let data, !data.isNull { text += " (data: \(data.serialized()))" }
            return .error(text)
        case .result(let result):
            let text = content(of: result)
            if result["isError"]?.boolValue == true {
                return .error(prefix + (text.isEmpty ? "the tool reported an error without a message" : text))
            }
            return ToolOutput(text)
        }
    }

    /// The result's content as text.
    static func content(of result: JSONValue) -> String {
        var parts: [String] = []
        var hasText = false
        for item in result["content"]?.arrayValue ?? [] {
            let type = item["type"]?.stringValue ?? "unknown"
            if type == "text" {
                hasText = true
                parts.append(item["text"]?.stringValue ?? "")
            } else {
                parts.append(describe(item, type: type))
            }
        }
        if !hasText, let structured = result["structuredContent"], !structured.isNull {
            parts.insert(structured.serialized(), at: 0)
        }
        return parts.joined(separator: "\n")
    }

    /// A one-line description of content that is not text.
    private static func describe(_ item: JSONValue, type: String) -> String {
        let mime = item["mimeType"]?.stringValue ?? "unknown type"
        switch type {
        case "image", "audio":
            return "[\(type): \(mime), \(decodedSize(item["data"]?.stringValue ?? "")) bytes]"
        case "resource_link":
            let name = item["name"]?.stringValue.map { " (\($0))" } ?? ""
            return "[resource link: \(item["uri"]?.stringValue ?? "?")\(name)]"
        case "resource":
            let resource = item["resource"]
            if let text = resource?["text"]?.stringValue { return text }
            let uri = resource?["uri"]?.stringValue ?? "?"
            let kind = resource?["mimeType"]?.stringValue ?? "unknown type"
            return "[resource: \(uri), \(kind), \(decodedSize(resource?["blob"]?.stringValue ?? "")) bytes]"
        default:
            return "[\(type) content]"
        }
    }

    /// The number of bytes base64 text decodes to.
    private static func decodedSize(_ base64: String) -> Int {
        let symbols = base64.utf8.filter { $0 != UInt8(ascii: "=") && $0 > 0x20 }.count
        return symbols * 3 / 4
    }
}
