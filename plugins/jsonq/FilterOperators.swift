/// `and`, `or`.
enum LogicOperator: String, Sendable {
    case and
    case or
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`, compared in jq's total order.
enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="

    func holds(_ lhs: JSON, _ rhs: JSON) -> Bool {
        let order = JSON.compare(lhs, rhs)
        switch self {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }
}

/// `+`, `-`, `*`, `/`, `%`.
enum ArithmeticOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
}
