import Testing
import TrellisCore

/// A key a vendor echoes back never reaches an error whole or in part, wherever an excerpt cuts it.
struct SecretRedactionTests {
    static let key = "sk-Zq7RxW2mKd9LpV4tYb8N"

    /// Whether `text` shows any 5 consecutive characters of the key (4 of its first, `sk-Z`, say little).
    static func leaks(_ text: String) -> Bool {
        let characters = Array(key)
        return (0...(characters.count - 5)).contains { text.contains(String(characters[$0..<($0 + 5)])) }
    }

    /// Filler that puts the key's start `offset` characters before `limit`.
    static func echo(straddling limit: Int, offset: Int) -> String {
        String(repeating: "x", count: limit - offset) + key + " was rejected"
    }

    @Test("a whole key, a key cut at the end (before …) and a key's tail at the start are redacted")
    func edges() {
        #expect(SecretRedaction.redact("a \(Self.key) b", secret: Self.key) == "a [redacted] b")
        #expect(SecretRedaction.redact("key: \(Self.key.prefix(15))…", secret: Self.key) == "key: [redacted]…")
        #expect(SecretRedaction.redact("key: \(Self.key.prefix(6))", secret: Self.key) == "key: [redacted]")
        #expect(SecretRedaction.redact("\(Self.key.suffix(9)) rest", secret: Self.key) == "[redacted] rest")
        #expect(SecretRedaction.redact("key: sk-", secret: Self.key) == "key: sk-")
        #expect(SecretRedaction.redact("plain text", secret: Self.key) == "plain text")
        #expect(SecretRedaction.redact("abc", secret: "abc") == "abc")
    }

    @Test("an HTTP error whose message echoes the key across the 300-character cut shows none of it")
    func messageAcrossTheCut() {
        for offset in [1, 4, 10, 20, Self.key.count - 1] {
            let error = ProviderError.http(
                provider: "p", status: 401, message: Self.echo(straddling: 300, offset: offset),
                vendorCode: "bad \(Self.key)", body: Self.echo(straddling: 200, offset: offset)
            ).redacting(Self.key)
            #expect(!Self.leaks(error.message), "offset \(offset): \(error.message)")
            #expect(!Self.leaks(error.bodySnippet ?? ""), "offset \(offset): \(error.bodySnippet ?? "")")
            #expect(!Self.leaks(error.vendorCode ?? ""), "offset \(offset)")
            #expect(!Self.leaks(error.description), "offset \(offset): \(error.description)")
            #expect(error.message.contains("[redacted]"), "offset \(offset): \(error.message)")
        }
    }

    @Test("a malformed reply and a stream error echoing the key across their cuts show none of it")
    func bodyAndStreamErrorAcrossTheCut() {
        for offset in [2, 8, 16] {
            let malformed = ProviderError.malformedResponse(
                provider: "p", message: "the reply is not JSON", status: 200,
                body: Self.echo(straddling: 200, offset: offset)
            ).redacting(Self.key)
            #expect(!Self.leaks(malformed.description), "offset \(offset): \(malformed.description)")
            #expect(malformed.description.contains("[redacted]"), "offset \(offset): \(malformed.description)")
            let stream = ProviderError.streamError(
                provider: "p", message: Self.echo(straddling: 300 - "error in stream: ".count, offset: offset),
                vendorCode: nil
            ).redacting(Self.key)
            #expect(!Self.leaks(stream.description), "offset \(offset): \(stream.description)")
        }
    }

    @Test("a note appended to the message survives redaction, itself redacted")
    func appendedNote() {
        let error = ProviderError.connection(provider: "p", message: "down")
            .appending(" (after fallbacks failed: \(Self.key))").redacting(Self.key)
        #expect(error.message == "down (after fallbacks failed: [redacted])")
    }
}
