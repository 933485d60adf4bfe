/// Substitutes `${VAR}` and `${VAR:-default}` in a string value; `$${` writes a literal `${`.
struct Interpolation {
    enum Failure: Error {
        case missing(String)
        case unterminated
        case badName(String)
    }

    static func apply(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var output = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            let before = rest[..<start.lowerBound]
            if before.hasSuffix("$") {
                output += before.dropLast()
                output += "${"
                rest = rest[start.upperBound...]
                continue
            }
            output += before
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw .unterminated }
            let body = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let separator = body.firstRange(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard isValidName(name) else { throw .badName(String(name)) }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw .missing(String(name))
            }
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return output
    }

    private static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || first.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}

extension Interpolation {
    /// Whether `apply` would substitute something in the text: it holds a `${` that is not a `$${` escape.
    static func substitutes(_ text: String) -> Bool {
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            if !rest[..<start.lowerBound].hasSuffix("$") { return true }
            rest = rest[start.upperBound...]
        }
        return false
    }
}
