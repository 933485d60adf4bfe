import TrellisCore

/// The JSON Schema `pattern` matcher.
///
/// The input is a pattern and a text separated by a NUL byte (without one, the input is both). Invariants:
/// compiling and matching never trap and never hang (the budget decides within its steps); a pattern either
/// compiles or fails with a reason and a position inside it; matching is deterministic; the text, every scalar
/// escaped, matches itself, anchored or not, and so does any pattern or'ed with it.
enum PatternTarget {
    static let target = FuzzTarget(
        name: "pattern",
        summary: "SchemaPattern on pattern NUL text: no trap or hang, errors placed, escaped text matches itself"
    ) { bytes throws(InvariantFailure) in
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let source = String(decoding: parts[0], as: UTF8.self)
        let text = String(decoding: parts.count > 1 ? parts[1] : parts[0], as: UTF8.self)
        let escaped = text.unicodeScalars.map { "\\u{\(String($0.value, radix: 16))}" }.joined()
        for literal in [escaped, "^" + escaped + "$"] {
            let pattern: SchemaPattern
            do throws(SchemaPatternError) {
                pattern = try SchemaPattern(literal)
            } catch {
                throw InvariantFailure("the escaped text \(literal.debugDescription) does not compile: \(error)")
            }
            try require(pattern.matches(text) == true, "\(literal.debugDescription) does not match its own text")
        }
        let compiled: SchemaPattern
        do throws(SchemaPatternError) {
            compiled = try SchemaPattern(source)
        } catch {
            let length = source.unicodeScalars.count
            try require(
                !error.reason.isEmpty && (1...max(length, 1)).contains(error.position),
                "\(source.debugDescription): error at \(error.position) of \(length): \(error.reason)")
            return
        }
        let first = compiled.matches(text)
        try require(compiled.matches(text) == first, "matching twice gave different answers")
        if let widened = try? SchemaPattern("(?:\(source))|\(escaped)") {
            try require(widened.matches(text) != false, "the pattern or'ed with the escaped text does not match it")
        }
    }
}
