/// Bounds on one reply of a provider, so that a runaway or hostile server can neither hold a run past its
/// provider's `timeout` nor fill memory.
struct ReplyLimits: Sendable {
    /// The largest non-streamed body.
    var maxBodyBytes = 32 * 1024 * 1024
    /// The largest streamed reply, all its chunks together (an OpenAI chunk is some 200 bytes per token, and a
    /// Yandex line repeats all the text so far, so this is twice ``maxBodyBytes``).
    var maxStreamBytes = 64 * 1024 * 1024
    /// The largest single line or event of a streamed reply.
    var maxLineBytes = ReplyLimits.defaultMaxLineBytes
    /// The parsers' cap on a line or event until told otherwise.
    static let defaultMaxLineBytes = 8 * 1024 * 1024
    /// The longest wait for the next chunk of a streamed reply; `nil` for the provider's `timeout`.
    var idleTimeout: Duration?

    /// `bytes` in the unit people read (`32 MiB`, `4096 bytes`).
    static func describe(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? "\(bytes / (1024 * 1024)) MiB" : "\(bytes) bytes"
    }
}
