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
    /// Whether `apply` would put a value from `environment` into the text: a `${VAR}` (not a `$${` escape) whose
    /// variable is set, and not empty when a `:-default` would replace an empty value. A default written in the file
    /// is no secret.
    static func readsEnvironment(_ text: String, environment: [String: String]) -> Bool {
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            let escaped = rest[..<start.lowerBound].hasSuffix("$")
            rest = rest[start.upperBound...]
            guard !escaped, let end = rest.firstIndex(of: "}") else { continue }
            let body = rest[..<end]
            let separator = body.firstRange(of: ":-")
            let name = String(separator.map { body[..<$0.lowerBound] } ?? body)
            if let value = environment[name], !(separator != nil && value.isEmpty) { return true }
            rest = rest[rest.index(after: end)...]
        }
        return false
    }
}
