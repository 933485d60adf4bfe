import Foundation
import TrellisCore

/// `calculator`: evaluates arithmetic with a real parser; it never evaluates code.
///
/// Grammar: numbers (`1`, `2.5`, `1e3`), `+ - * / %`, `^` (right-associative power), unary `-` and `+`,
/// parentheses, the constants `pi` and `e`, and the functions `sqrt abs sin cos tan asin acos atan ln log log2 exp
/// floor ceil round min max pow`.
public struct CalculatorTool: ToolExecutor {
    /// Creates the tool.
    public init() {}

    public let definition = ToolDefinition(
        name: "calculator",
        description:
            "Evaluates an arithmetic expression, e.g. (2 + 3) * 4 ^ 2 / sqrt(16). Supports + - * / % ^, parentheses, pi, e, sqrt, abs, sin, cos, tan, ln, log, exp, floor, ceil, round, min, max, pow.",
        parameters: [
            "type": "object",
            "properties": ["expression": ["type": "string", "minLength": 1, "maxLength": 1000]],
            "required": ["expression"],
            "additionalProperties": false,
        ], idempotent: true)

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let expression = arguments["expression"]?.stringValue ?? ""
        do {
            let value = try ArithmeticParser.evaluate(expression)
            return ToolOutput(ArithmeticParser.format(value))
        } catch let error as ArithmeticParser.Failure {
            return .error("cannot evaluate '\(expression)': \(error.message)")
        }
    }
}

/// A recursive-descent arithmetic evaluator.
enum ArithmeticParser {
    struct Failure: Error {
        var message: String
    }

    static func evaluate(_ text: String) throws -> Double {
        var parser = State(characters: Array(text))
        let value = try parser.expression()
        parser.skipSpaces()
        guard parser.position == parser.characters.count else {
            throw Failure(
                message: "unexpected '\(parser.characters[parser.position])' at position \(parser.position + 1)")
        }
        guard value.isFinite else { throw Failure(message: "the result is not a finite number") }
        return value
    }

    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    private struct State {
        let characters: [Character]
        var position = 0

        mutating func skipSpaces() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func peek() -> Character? {
            skipSpaces()
            return position < characters.count ? characters[position] : nil
        }

        mutating func expression() throws -> Double {
            var value = try term()
            while let next = peek(), next == "+" || next == "-" {
                position += 1
                let rhs = try term()
                value = next == "+" ? value + rhs : value - rhs
            }
            return value
        }

        mutating func term() throws -> Double {
            var value = try unary()
            while let next = peek(), next == "*" || next == "/" || next == "%" || next == "×" || next == "÷" {
                position += 1
                let rhs = try unary()
                switch next {
                case "*", "×": value *= rhs
                default:
                    guard rhs != 0 else { throw Failure(message: "division by zero") }
                    value = next == "%" ? value.truncatingRemainder(dividingBy: rhs) : value / rhs
                }
            }
            return value
        }

        mutating func unary() throws -> Double {
            if let next = peek(), next == "-" || next == "+" {
                position += 1
                let value = try unary()
                return next == "-" ? -value : value
            }
            return try power()
        }

        mutating func power() throws -> Double {
            let base = try primary()
            if let next = peek(), next == "^" {
                position += 1
                let exponent = try unary()
                return Foundation.pow(base, exponent)
            }
            return base
        }

        mutating func primary() throws -> Double {
            guard let next = peek() else { throw Failure(message: "the expression ends too early") }
            if next == "(" {
                position += 1
                let value = try expression()
                guard peek() == ")" else { throw Failure(message: "missing ')'") }
                position += 1
                return value
            }
            if next.isNumber || next == "." { return try number() }
            if next.isLetter { return try identifier() }
            throw Failure(message: "unexpected '\(next)' at position \(position + 1)")
        }

        mutating func number() throws -> Double {
            let start = position
            while position < characters.count, characters[position].isNumber || characters[position] == "." {
                position += 1
            }
            if position < characters.count, characters[position] == "e" || characters[position] == "E" {
                var lookahead = position + 1
                if lookahead < characters.count, characters[lookahead] == "+" || characters[lookahead] == "-" {
                    lookahead += 1
                }
                if lookahead < characters.count, characters[lookahead].isNumber {
                    position = lookahead
                    while position < characters.count, characters[position].isNumber { position += 1 }
                }
            }
            let text = String(characters[start..<position])
            guard let value = Double(text) else { throw Failure(message: "invalid number '\(text)'") }
            return value
        }

        mutating func identifier() throws -> Double {
            let start = position
            while position < characters.count, characters[position].isLetter || characters[position].isNumber {
                position += 1
            }
            let name = String(characters[start..<position]).lowercased()
            switch name {
            case "pi": return Double.pi
            case "e": return M_E
            default: break
            }
            guard peek() == "(" else { throw Failure(message: "unknown name '\(name)'") }
            position += 1
            var arguments: [Double] = [try expression()]
            while peek() == "," {
                position += 1
                arguments.append(try expression())
            }
            guard peek() == ")" else { throw Failure(message: "missing ')' after arguments of \(name)") }
            position += 1
            return try apply(name, arguments)
        }

        func apply(_ name: String, _ arguments: [Double]) throws -> Double {
            let unary: [String: (Double) -> Double] = [
                "sqrt": { $0.squareRoot() }, "abs": { Swift.abs($0) }, "sin": sin, "cos": cos, "tan": tan,
                "asin": asin, "acos": acos, "atan": atan, "ln": Foundation.log, "log": log10, "log2": log2,
                "exp": exp, "floor": { $0.rounded(.down) }, "ceil": { $0.rounded(.up) },
                "round": { $0.rounded(.toNearestOrAwayFromZero) },
            ]
            if let function = unary[name] {
                guard arguments.count == 1 else { throw Failure(message: "\(name) takes one argument") }
                if name == "sqrt", arguments[0] < 0 { throw Failure(message: "square root of a negative number") }
                if ["ln", "log", "log2"].contains(name), arguments[0] <= 0 {
                    throw Failure(message: "logarithm of a non-positive number")
                }
                return function(arguments[0])
            }
            switch name {
            case "min": return arguments.min()!
            case "max": return arguments.max()!
            case "pow":
                guard arguments.count == 2 else { throw Failure(message: "pow takes two arguments") }
                return Foundation.pow(arguments[0], arguments[1])
            default: throw Failure(message: "unknown function '\(name)'")
            }
        }
    }
}
