/// A parsed pattern: what ``PatternParser`` reads and ``PatternProgram`` compiles.
indirect enum PatternNode: Sendable, Equatable {
    /// A zero-width test of the position.
    enum Assertion: Sendable, Equatable {
        /// `^`: the start of the text (patterns have no multiline flag).
        case start
        /// `$`: the end of the text.
        case end
        /// `\b`: between a word scalar and a non-word one.
        case wordBoundary
        /// `\B`: not between a word scalar and a non-word one.
        case notWordBoundary
    }

    /// Matches the empty string.
    case empty
    /// One scalar from a set.
    case atom(ScalarSet)
    /// The nodes one after the other.
    case sequence([PatternNode])
    /// Any one of the nodes.
    case alternation([PatternNode])
    /// The node `min` to `max` times (`nil`: no upper bound).
    case repetition(PatternNode, min: Int, max: Int?)
    /// A zero-width test.
    case assertion(Assertion)
}
