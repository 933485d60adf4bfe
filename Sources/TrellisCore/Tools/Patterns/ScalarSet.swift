/// A set of Unicode scalars, as one atom of a pattern matches: a literal, `.`, a class escape or a bracketed class.
struct ScalarSet: Sendable, Equatable {
    /// A class that is not a plain range: the escapes `\d`, `\w`, `\s` and `\p{…}`.
    enum Builtin: Sendable, Equatable {
        /// `\d`: ASCII digits.
        case digit
        /// `\w`: ASCII letters, digits and `_`.
        case word
        /// `\s`: ECMAScript's white space and line terminators.
        case space
        /// `\p{…}`: scalars of one of these general categories.
        case categories([Unicode.GeneralCategory])
        /// The complement of a builtin (`\D`, `\W`, `\S`, `\P{…}`).
        indirect case not(Builtin)

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            switch self {
            case .digit: return ("0"..."9").contains(scalar)
            case .word: return ScalarSet.isWord(scalar)
            case .space: return ScalarSet.isSpace(scalar)
            case .categories(let categories): return categories.contains(scalar.properties.generalCategory)
            case .not(let builtin): return !builtin.contains(scalar)
            }
        }
    }

    /// Inclusive ranges of scalar values.
    var ranges: [ClosedRange<UInt32>] = []
    /// Builtin classes the set also holds.
    var builtins: [Builtin] = []
    /// The set is the complement of its ranges and builtins (`[^…]`).
    var negated = false

    /// One scalar.
    static func scalar(_ scalar: Unicode.Scalar) -> ScalarSet { ScalarSet(ranges: [scalar.value...scalar.value]) }

    /// One builtin class.
    static func builtin(_ builtin: Builtin) -> ScalarSet { ScalarSet(builtins: [builtin]) }

    /// `.`: every scalar but the line terminators.
    static let anyButNewline = ScalarSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029], negated: true)

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let inside = ranges.contains { $0.contains(value) } || builtins.contains { $0.contains(scalar) }
        return inside != negated
    }

    /// `\w`, which also decides the word boundaries `\b` and `\B`.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
        default: return false
        }
    }

    /// `\s`: ECMAScript's WhiteSpace and LineTerminator.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default: return false
        }
    }
}
