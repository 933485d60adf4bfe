/// Why a JSON Schema `pattern` cannot be checked: it is not a regular expression, or it uses a construct
/// Trellis's matcher leaves out because it cannot run in linear time.
public struct SchemaPatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of the two it is.
    public enum Kind: Sendable, Equatable {
        /// Not a regular expression (`(a`, `a{3,1}`, a `\` at the end).
        case invalid
        /// A valid ECMAScript expression outside the subset Trellis checks: a backreference, a lookaround, or a
        /// repetition that expands past the matcher's size limit.
        case unsupported
    }

    /// Invalid or unsupported.
    public var kind: Kind
    /// The pattern as written.
    public var pattern: String
    /// The 1-based position in the pattern, in Unicode scalars, where the problem starts.
    public var position: Int
    /// What is wrong, in a few words (`a group is not closed`).
    public var reason: String

    /// Creates the error.
    public init(kind: Kind, pattern: String, position: Int, reason: String) {
        self.kind = kind
        self.pattern = pattern
        self.position = position
        self.reason = reason
    }

    /// `pattern '(a' at character 3: a group is not closed`.
    public var description: String {
        "pattern '\(pattern)' at character \(position): \(reason)"
    }
}
