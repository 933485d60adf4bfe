import Synchronization

/// The text an adapter's encoder wrote for one ``ChatMessage``, kept beside the message so a transcript is encoded
/// once and not again on every turn (a 200-turn run would otherwise re-encode 200 messages 200 times).
///
/// Copies of a message share it; changing any field of a message gives it a fresh, empty one. It holds one
/// encoding at a time, named by `format`, which is what a run that talks to one provider needs.
package final class EncodedMessage: Sendable {
    private let slot = Mutex<(format: String, text: String)?>(nil)

    package init() {}

    /// The text for `format`, from the cache or written by `encode` (outside the lock) and kept.
    package func text(format: String, encode: () -> String) -> String {
        if let cached = slot.withLock({ $0 }), cached.format == format { return cached.text }
        let text = encode()
        slot.withLock { $0 = (format, text) }
        return text
    }
}
