/// A `data:` URI split into its parts (`data:image/png;base64,iVBOR...`), for APIs that take images as bare
/// base64 with a separate media type (Anthropic, Ollama).
struct DataURI: Sendable, Hashable {
    /// The media type (`image/png`); `text/plain` when the URI names none, as RFC 2397 says.
    var mediaType: String
    /// Whether the payload is base64 (`;base64`).
    var isBase64: Bool
    /// The payload after the comma, as written.
    var payload: String

    /// Parses `text`, or returns `nil` when it is not a `data:` URI with a comma.
    init?(_ text: String) {
        guard text.prefix(5).lowercased() == "data:", let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        var parameters = header.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let type = parameters.isEmpty ? "" : parameters.removeFirst()
        mediaType = type.isEmpty ? "text/plain" : type.lowercased()
        isBase64 = parameters.contains { $0.lowercased() == "base64" }
        payload = String(text[text.index(after: comma)...])
    }
}
