/// Replaces a secret in text shown to people, including the part of it left at an edge of an excerpt.
///
/// A vendor that echoes a key in its error body may have it cut in two by an excerpt's length: the excerpt then
/// ends with the key's first characters, which no search for the whole key finds. This redaction also replaces a
/// prefix of the secret at the end of the text (before a trailing `…`) and a suffix of it at the start, once at
/// least ``minimumPartial`` characters long.
///
/// ```swift
/// SecretRedaction.redact("key sk-abc12…", secret: "sk-abc123456")  // "key [redacted]…"
/// ```
public enum SecretRedaction {
    /// What replaces a secret.
    public static let marker = "[redacted]"

    /// The shortest piece of a secret at an edge that is redacted (shorter pieces say too little to matter).
    public static let minimumPartial = 4

    /// `text` with every whole occurrence of `secret`, and a partial one at either edge, replaced by ``marker``.
    /// Secrets shorter than ``minimumPartial`` are left alone: they would match ordinary words.
    public static func redact(_ text: String, secret: String) -> String {
        guard secret.count >= minimumPartial else { return text }
        var result = text.replacingAll(secret, with: marker)
        let ellipsis = result.hasSuffix("…")
        if ellipsis { result.removeLast() }
        if let length = longestOverlap(ending: result, withPrefixOf: secret) {
            result = String(result.dropLast(length)) + marker
        }
        if ellipsis { result += "…" }
        if let length = longestOverlap(starting: result, withSuffixOf: secret) {
            result = marker + String(result.dropFirst(length))
        }
        return result
    }

    /// The length of the longest proper prefix of `secret` (at least ``minimumPartial``) that `text` ends with.
    private static func longestOverlap(ending text: String, withPrefixOf secret: String) -> Int? {
        longestOverlap(text, secret) { text.hasSuffix(secret.prefix($0)) }
    }

    /// The length of the longest proper suffix of `secret` (at least ``minimumPartial``) that `text` starts with.
    private static func longestOverlap(starting text: String, withSuffixOf secret: String) -> Int? {
        longestOverlap(text, secret) { text.hasPrefix(secret.suffix($0)) }
    }

    /// The longest length from `secret.count - 1` down to ``minimumPartial`` at which `overlaps` holds.
    private static func longestOverlap(_ text: String, _ secret: String, _ overlaps: (Int) -> Bool) -> Int? {
        let longest = min(secret.count - 1, text.count)
        guard longest >= minimumPartial else { return nil }
        return stride(from: longest, through: minimumPartial, by: -1).first(where: overlaps)
    }
}
