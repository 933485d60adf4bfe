/// A JSON Schema `pattern`, checked in time linear in the text's length.
///
/// JSON Schema writes patterns as ECMAScript regular expressions and tests them anywhere in the string (add `^`
/// and `$` to match the whole). A backtracking engine takes exponential time on patterns such as `(a+)+$`, and the
/// string comes from a model, so Trellis runs its own automaton instead: every state advances together, one Unicode
/// scalar at a time. What such an automaton cannot run (backreferences, lookahead and lookbehind) is refused with
/// ``SchemaPatternError/Kind/unsupported``.
///
/// ```swift
/// let pattern = try SchemaPattern("^[A-Z]{3}-\\d+$")
/// pattern.matches("ABC-42")   // true
/// pattern.matches("abc-42")   // false
/// ```
public struct SchemaPattern: Sendable {
    /// The steps ``matches(_:budget:)`` takes at most by default: about 50 ms, enough for a megabyte of text against
    /// a pattern of ordinary size.
    public static let defaultBudget = 20_000_000

    /// The pattern as written.
    public let source: String
    private let program: PatternProgram

    /// Compiles `source`.
    ///
    /// - Throws: ``SchemaPatternError`` naming the position and the reason when the pattern is not a regular
    ///   expression, or uses a construct outside the subset checked here.
    public init(_ source: String) throws(SchemaPatternError) {
        let node = try PatternParser.parse(source)
        guard let program = PatternProgram(node) else {
            throw SchemaPatternError(
                kind: .unsupported, pattern: source, position: 1,
                reason: "its repetitions expand past \(PatternProgram.maximumSize) states")
        }
        self.source = source
        self.program = program
    }

    /// Whether some part of `text` matches; `nil` when deciding it would take more than `budget` steps (a text of
    /// megabytes against a pattern of thousands of states).
    public func matches(_ text: String, budget: Int = defaultBudget) -> Bool? {
        var matcher = PatternMatcher(program)
        return matcher.search(text.unicodeScalars, budget: budget)
    }
}
