/// Reads an ECMAScript regular expression, as JSON Schema's `pattern` is written, into a ``PatternNode``.
///
/// The syntax is ECMA-262's with Annex B's leniency (a `{` or `]` that starts nothing is a literal, `\q` is `q`).
/// Left out, as ``SchemaPatternError/Kind/unsupported``: backreferences and lookaround, which no linear-time
/// matcher can run, and `\p{…}` names other than general categories.
struct PatternParser {
    /// Groups may nest this deep; the compiler and the checks on the tree recurse once per level.
    static let maximumDepth = 100

    private let source: String
    private let scalars: [Unicode.Scalar]
    private var index = 0

    private init(_ source: String) {
        self.source = source
        self.scalars = Array(source.unicodeScalars)
    }

    /// The tree of `source`.
    static func parse(_ source: String) throws(SchemaPatternError) -> PatternNode {
        var parser = PatternParser(source)
        let node = try parser.alternation(depth: 0)
        if parser.index < parser.scalars.count { throw parser.invalid("a ')' closes no group") }
        return node
    }

    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func take() -> Unicode.Scalar? {
        guard let scalar = peek else { return nil }
        index += 1
        return scalar
    }

    private mutating func alternation(depth: Int) throws(SchemaPatternError) -> PatternNode {
        var branches = [try sequence(depth: depth)]
        while peek == "|" {
            index += 1
            branches.append(try sequence(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func sequence(depth: Int) throws(SchemaPatternError) -> PatternNode {
        var items: [PatternNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            let start = index
            let (node, quantifiable) = try atom(depth: depth)
            guard let (minimum, maximum) = try quantifier() else {
                items.append(node)
                continue
            }
            guard quantifiable else { throw invalid("an assertion cannot be repeated", at: start) }
            items.append(.repetition(node, min: minimum, max: maximum))
        }
        return items.count == 1 ? items[0] : items.isEmpty ? .empty : .sequence(items)
    }

    /// One atom, and whether a quantifier may follow it.
    private mutating func atom(depth: Int) throws(SchemaPatternError) -> (PatternNode, Bool) {
        let start = index
        let scalar = take()!
        switch scalar {
        case "(": return (try group(depth: depth, start: start), true)
        case "[": return (.atom(try bracketClass(start: start)), true)
        case ".": return (.atom(.anyButNewline), true)
        case "^": return (.assertion(.start), false)
        case "$": return (.assertion(.end), false)
        case "\\": return try escape()
        case "*", "+", "?": throw invalid("'\(scalar)' has nothing to repeat", at: start)
        case "{":
            index = start
            if (try? quantifier()) != nil { throw invalid("'{' has nothing to repeat", at: start) }
            index = start + 1
            return (.atom(.scalar("{")), true)
        default: return (.atom(.scalar(scalar)), true)
        }
    }

    private mutating func group(depth: Int, start: Int) throws(SchemaPatternError) -> PatternNode {
        guard depth < Self.maximumDepth else {
            throw unsupported("groups nested deeper than \(Self.maximumDepth) levels", at: start)
        }
        if peek == "?" {
            switch (peek(1), peek(2)) {
            case (":", _): index += 2
            case ("=", _), ("!", _): throw unsupported("lookahead needs backtracking", at: start)
            case ("<", "="), ("<", "!"): throw unsupported("lookbehind needs backtracking", at: start)
            case ("<", _):
                index += 2
                guard let close = scalars[index...].firstIndex(of: ">"), close > index else {
                    throw invalid("a group name is not closed with '>'", at: start)
                }
                index = close + 1
            default: throw invalid("'(?' starts no known kind of group", at: start)
            }
        }
        let inner = try alternation(depth: depth + 1)
        guard take() == ")" else { throw invalid("a group is not closed", at: start) }
        return inner
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}`, with an optional lazy `?`; `nil` (and nothing read) when none
    /// starts here. Counts beyond a million are read as a million: the size limit refuses them anyway.
    private mutating func quantifier() throws(SchemaPatternError) -> (Int, Int?)? {
        let start = index
        var bounds: (Int, Int?)
        switch peek {
        case "*": bounds = (0, nil)
        case "+": bounds = (1, nil)
        case "?": bounds = (0, 1)
        case "{":
            index += 1
            guard let minimum = number() else {
                index = start
                return nil
            }
            var maximum: Int? = minimum
            if peek == "," {
                index += 1
                maximum = number()
            }
            guard peek == "}" else {
                index = start
                return nil
            }
            if let maximum, maximum < minimum {
                throw invalid("the repetition {\(minimum),\(maximum)} has its bounds out of order", at: start)
            }
            bounds = (minimum, maximum)
        default: return nil
        }
        index += 1
        if peek == "?" { index += 1 }
        return bounds
    }

    private mutating func number() -> Int? {
        var value: Int?
        while let scalar = peek, ("0"..."9").contains(scalar) {
            value = min((value ?? 0) * 10 + Int(scalar.value - 0x30), 1_000_000)
            index += 1
        }
        return value
    }

    /// After a `\` outside a class: an assertion, a class escape, or one scalar.
    private mutating func escape() throws(SchemaPatternError) -> (PatternNode, Bool) {
        let start = index - 1
        switch peek {
        case "b":
            index += 1
            return (.assertion(.wordBoundary), false)
        case "B":
            index += 1
            return (.assertion(.notWordBoundary), false)
        case let digit? where ("1"..."9").contains(digit):
            throw unsupported("backreferences (\\\(digit)) need backtracking", at: start)
        case "k" where peek(1) == "<":
            throw unsupported("backreferences (\\k<…>) need backtracking", at: start)
        default:
            return (.atom(try escapedSet(start: start, inClass: false)), true)
        }
    }

    /// After a `\` that is not an assertion: a class escape or one scalar, as a set.
    private mutating func escapedSet(start: Int, inClass: Bool) throws(SchemaPatternError) -> ScalarSet {
        guard let scalar = take() else { throw invalid("a '\\' ends the pattern", at: start) }
        switch scalar {
        case "d": return .builtin(.digit)
        case "D": return .builtin(.not(.digit))
        case "w": return .builtin(.word)
        case "W": return .builtin(.not(.word))
        case "s": return .builtin(.space)
        case "S": return .builtin(.not(.space))
        case "p", "P":
            let categories = try property(start: start)
            return .builtin(scalar == "p" ? categories : .not(categories))
        case "b" where inClass: return .scalar("\u{08}")
        case "t": return .scalar("\t")
        case "n": return .scalar("\n")
        case "v": return .scalar("\u{0B}")
        case "f": return .scalar("\u{0C}")
        case "r": return .scalar("\r")
        case "0" where !(peek.map { ("0"..."9").contains($0) } ?? false): return .scalar("\u{00}")
        case let digit where ("0"..."9").contains(digit):
            throw unsupported("octal escapes (\\\(digit)…) are not part of JSON Schema's patterns", at: start)
        case "c":
            guard let letter = peek, letter.isASCII, letter.properties.isAlphabetic else {
                throw invalid("'\\c' must be followed by a letter", at: start)
            }
            index += 1
            return .scalar(Unicode.Scalar(letter.value % 32)!)
        case "x":
            guard let value = hexadecimal(count: 2) else { return .scalar("x") }
            return .scalar(Unicode.Scalar(value)!)
        case "u": return unicodeEscape()
        default: return .scalar(scalar)
        }
    }

    /// After `\u`: `HHHH` (a surrogate pair `\uHHHH\uHHHH` is one scalar) or `{H…}`. A lone surrogate can be in
    /// no Swift string, so it matches nothing; `\u` without digits is `u`, as Annex B reads it.
    private mutating func unicodeEscape() -> ScalarSet {
        if peek == "{", let close = scalars[index...].firstIndex(of: "}") {
            let digits = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
            if let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) {
                index = close + 1
                return .scalar(scalar)
            }
            return .scalar("u")
        }
        guard let high = hexadecimal(count: 4) else { return .scalar("u") }
        if (0xD800...0xDBFF).contains(high), peek == "\\", peek(1) == "u" {
            let mark = index
            index += 2
            if let low = hexadecimal(count: 4), (0xDC00...0xDFFF).contains(low) {
                return .scalar(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
            }
            index = mark
        }
        return Unicode.Scalar(high).map(ScalarSet.scalar) ?? ScalarSet()
    }

    private mutating func hexadecimal(count: Int) -> UInt32? {
        guard index + count <= scalars.count else { return nil }
        let digits = String(String.UnicodeScalarView(scalars[index..<(index + count)]))
        guard digits.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit), let value = UInt32(digits, radix: 16)
        else { return nil }
        index += count
        return value
    }

    /// After `\p` or `\P`: `{Name}`, `{gc=Name}` or `{General_Category=Name}` naming a general category.
    private mutating func property(start: Int) throws(SchemaPatternError) -> ScalarSet.Builtin {
        guard peek == "{", let close = scalars[index...].firstIndex(of: "}") else {
            throw invalid("'\\p' must be followed by {Name}", at: start)
        }
        var name = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
        index = close + 1
        for prefix in ["General_Category=", "gc="] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        guard let categories = UnicodeCategoryNames.categories(named: name) else {
            throw unsupported("the property \\p{\(name)} (only general categories are checked)", at: start)
        }
        return .categories(categories)
    }

    /// After `[`: the class up to its `]`.
    private mutating func bracketClass(start: Int) throws(SchemaPatternError) -> ScalarSet {
        var set = ScalarSet()
        if peek == "^" {
            set.negated = true
            index += 1
        }
        while true {
            guard let scalar = peek else { throw invalid("a '[' is not closed with ']'", at: start) }
            if scalar == "]" {
                index += 1
                return set
            }
            let lower = try classMember()
            guard peek == "-", let after = peek(1), after != "]" else {
                set.add(lower)
                continue
            }
            let dash = index
            index += 1
            let upper = try classMember()
            guard case .scalar(let low) = lower, case .scalar(let high) = upper else {
                set.add(lower)
                set.add(.scalar("-"))
                set.add(upper)
                continue
            }
            guard low.value <= high.value else {
                throw invalid("the range \(low)-\(high) is out of order", at: dash)
            }
            set.ranges.append(low.value...high.value)
        }
    }

    /// One member of a bracketed class: a scalar, or a class escape such as `\d`.
    private mutating func classMember() throws(SchemaPatternError) -> ClassMember {
        let start = index
        let scalar = take()!
        guard scalar == "\\" else { return .scalar(scalar) }
        if peek == "-" {
            index += 1
            return .scalar("-")
        }
        let set = try escapedSet(start: start, inClass: true)
        if set.builtins.isEmpty, set.ranges.count == 1, let range = set.ranges.first, range.count == 1,
            let scalar = Unicode.Scalar(range.lowerBound)
        {
            return .scalar(scalar)
        }
        return .set(set)
    }

    private func invalid(_ reason: String, at position: Int? = nil) -> SchemaPatternError {
        SchemaPatternError(kind: .invalid, pattern: source, position: (position ?? index) + 1, reason: reason)
    }

    private func unsupported(_ reason: String, at position: Int) -> SchemaPatternError {
        SchemaPatternError(kind: .unsupported, pattern: source, position: position + 1, reason: reason)
    }
}

/// A member of a bracketed class before ranges are formed.
enum ClassMember {
    case scalar(Unicode.Scalar)
    case set(ScalarSet)
}

extension ScalarSet {
    fileprivate mutating func add(_ member: ClassMember) {
        switch member {
        case .scalar(let scalar): ranges.append(scalar.value...scalar.value)
        case .set(let set):
            ranges += set.ranges
            builtins += set.builtins
        }
    }
}
