/// `+ - * / %` with jq's meaning for each pair of types.
enum Arithmetic {
    static func apply(_ operation: ArithmeticOperator, _ lhs: JSON, _ rhs: JSON) throws(FilterError) -> JSON {
        switch (operation, lhs, rhs) {
        case (.add, .null, _): return rhs
        case (.add, _, .null): return lhs
        case (.add, .number(let left, _), .number(let right, _)): return .number(left + right)
        case (.add, .string(let left), .string(let right)): return .string(left + right)
        case (.add, .array(let left), .array(let right)): return .array(left + right)
        case (.add, .object(var left), .object(let right)):
            for (key, value) in right.members { left[key] = value }
            return .object(left)
        case (.subtract, .number(let left, _), .number(let right, _)): return .number(left - right)
        case (.subtract, .array(let left), .array(let right)):
            return .array(left.filter { element in !right.contains { $0 == element } })
        case (.multiply, .number(let left, _), .number(let right, _)): return .number(left * right)
        case (.multiply, .string(let text), .number(let count, _)),
            (.multiply, .number(let count, _), .string(let text)):
            guard count > 0 else { return .null }
            guard count * Double(max(text.utf8.count, 1)) <= 1e7 else {
                throw failure(operation, lhs, rhs, "because the string would be over 10 MB")
            }
            return .string(String(repeating: text, count: Int(count.rounded(.up))))
        case (.divide, .number(let left, _), .number(let right, _)):
            if right == 0 { throw failure(operation, lhs, rhs, "because the divisor is zero") }
            return .number(left / right)
        case (.divide, .string(let text), .string(let separator)):
            return .array(split(text, by: separator).map(JSON.string))
        case (.modulo, .number(let left, _), .number(let right, _)):
            guard left.isFinite, right.isFinite, abs(left) < 9e18, abs(right) < 9e18 else {
                throw failure(operation, lhs, rhs, "because an operand is out of range")
            }
            let divisor = Int(right.rounded(.towardZero))
            if divisor == 0 { throw failure(operation, lhs, rhs, "because the divisor is zero") }
            return .number(Double(Int(left.rounded(.towardZero)) % divisor))
        default:
            throw failure(operation, lhs, rhs, "")
        }
    }

    private static func failure(
        _ operation: ArithmeticOperator, _ lhs: JSON, _ rhs: JSON, _ reason: String
    ) -> FilterError {
        let verb: String
        switch operation {
        case .add: verb = "added"
        case .subtract: verb = "subtracted"
        case .multiply: verb = "multiplied"
        case .divide: verb = "divided"
        case .modulo: verb = "divided (remainder)"
        }
        let describeLeft = FilterEvaluator.describe(lhs)
        let describeRight = FilterEvaluator.describe(rhs)
        return FilterError(
            message: "\(describeLeft) and \(describeRight) cannot be \(verb)" + (reason.isEmpty ? "" : " " + reason))
    }

    /// `text` split at every occurrence of `separator`; an empty separator splits into characters.
    static func split(_ text: String, by separator: String) -> [String] {
        if text.isEmpty { return [] }
        if separator.isEmpty { return text.map(String.init) }
        var parts: [String] = []
        var rest = Substring(text)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
