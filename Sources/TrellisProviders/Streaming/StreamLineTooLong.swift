/// A line or event of a streamed reply grew past its cap without ending (``ReplyLimits/maxLineBytes``): one giant
/// line must not eat memory.
struct StreamLineTooLong: Error, Sendable {
    /// The cap, in bytes.
    var limit: Int
}
