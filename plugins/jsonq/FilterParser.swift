/// Parses a jq filter into a ``Filter``; errors name the column.
///
/// Precedence, loosest first: `|`, `,`, `//` (right-associative), `or`, `and`, comparisons (do not chain),
/// `+ -`, `* / %`, unary `-`, postfix (`.name`, `[...]`, `?`).
struct FilterParser {
    typealias SyntaxError = FilterLexer.SyntaxError

    private let tokens: [FilterLexer.Token]
    private var position = 0

    /// Parses a whole filter.
    static func parse(_ text: String) throws(SyntaxError) -> Filter {
        var parser = FilterParser(tokens: try FilterLexer.tokens(of: text))
        if parser.current.kind == .end {
            throw SyntaxError(message: "the filter is empty; use '.' for the input", column: 1)
        }
        let filter = try parser.parsePipe()
        if parser.current.kind != .end { throw parser.unexpected("the end of the filter") }
        return filter
    }

    private init(tokens: [FilterLexer.Token]) { self.tokens = tokens }

    private var current: FilterLexer.Token { tokens[position] }

    private mutating func advance() { position += 1 }

    private func unexpected(_ expectation: String) -> SyntaxError {
        SyntaxError(message: "expected \(expectation), found \(Self.describe(current.kind))", column: current.column)
    }

    private static func describe(_ kind: FilterLexer.Kind) -> String {
        switch kind {
        case .end: return "the end of the filter"
        case .field(let name): return "'.\(name)'"
        case .identifier(let name): return "'\(name)'"
        case .string(let text): return "the string \(JSONWriter.quote(text))"
        case .number(_, let literal): return "the number \(literal)"
        case .symbol(let symbol): return "'\(symbol)'"
        case .dot: return "'.'"
        case .dotDot: return "'..'"
        case .question: return "'?'"
        case .pipe: return "'|'"
        case .comma: return "','"
        case .colon: return "':'"
        case .semicolon: return "';'"
        case .openParen: return "'('"
        case .closeParen: return "')'"
        case .openBracket: return "'['"
        case .closeBracket: return "']'"
        case .openBrace: return "'{'"
        case .closeBrace: return "'}'"
        }
    }

    private mutating func expect(_ kind: FilterLexer.Kind, _ description: String) throws(SyntaxError) {
        guard current.kind == kind else { throw unexpected(description) }
        advance()
    }

    // MARK: - Binary operators

    private mutating func parsePipe() throws(SyntaxError) -> Filter {
        let lhs = try parseComma()
        guard current.kind == .pipe else { return lhs }
        advance()
        return .pipe(lhs, try parsePipe())
    }

    private mutating func parseComma() throws(SyntaxError) -> Filter {
        var lhs = try parseAlternative()
        while current.kind == .comma {
            advance()
            lhs = .comma(lhs, try parseAlternative())
        }
        return lhs
    }

    private mutating func parseAlternative() throws(SyntaxError) -> Filter {
        let lhs = try parseLogic(.or)
        guard current.kind == .symbol("//") else { return lhs }
        advance()
        return .alternative(lhs, try parseAlternative())
    }

    private mutating func parseLogic(_ logic: LogicOperator) throws(SyntaxError) -> Filter {
        func operand(_ parser: inout FilterParser) throws(SyntaxError) -> Filter {
            logic == .or ? try parser.parseLogic(.and) : try parser.parseComparison()
        }
        var lhs = try operand(&self)
        while current.kind == .identifier(logic.rawValue) {
            advance()
            lhs = .logic(lhs, logic, try operand(&self))
        }
        return lhs
    }

    private mutating func parseComparison() throws(SyntaxError) -> Filter {
        let lhs = try parseAdditive()
        guard case .symbol(let symbol) = current.kind, let comparison = ComparisonOperator(rawValue: symbol) else {
            return lhs
        }
        advance()
        let rhs = try parseAdditive()
        if case .symbol(let next) = current.kind, ComparisonOperator(rawValue: next) != nil {
            throw SyntaxError(message: "comparisons do not chain; use 'and'", column: current.column)
        }
        return .compare(lhs, comparison, rhs)
    }

    private mutating func parseAdditive() throws(SyntaxError) -> Filter {
        var lhs = try parseMultiplicative()
        while case .symbol(let symbol) = current.kind, symbol == "+" || symbol == "-" {
            advance()
            lhs = .arithmetic(lhs, ArithmeticOperator(rawValue: symbol)!, try parseMultiplicative())
        }
        return lhs
    }

    private mutating func parseMultiplicative() throws(SyntaxError) -> Filter {
        var lhs = try parseUnary()
        while case .symbol(let symbol) = current.kind, symbol == "*" || symbol == "/" || symbol == "%" {
            advance()
            lhs = .arithmetic(lhs, ArithmeticOperator(rawValue: symbol)!, try parseUnary())
        }
        return lhs
    }

    private mutating func parseUnary() throws(SyntaxError) -> Filter {
        guard current.kind == .symbol("-") else { return try parsePostfix() }
        let column = current.column
        advance()
        if case .number(let value, let literal) = current.kind {
            advance()
            return try parseSuffixes(of: .literal(.number(-value, literal: "-" + literal)))
        }
        return .negate(try parseUnary(), column: column)
    }

    // MARK: - Terms

    private mutating func parsePostfix() throws(SyntaxError) -> Filter {
        try parseSuffixes(of: try parsePrimary())
    }

    private mutating func parseSuffixes(of base: Filter) throws(SyntaxError) -> Filter {
        var filter = base
        while true {
            switch current.kind {
            case .field(let name):
                advance()
                filter = .field(filter, name)
            case .dot:
                advance()
                if case .string(let key) = current.kind {
                    advance()
                    filter = .field(filter, key)
                } else if current.kind == .openBracket {
                    filter = try parseBracket(on: filter)
                } else {
                    throw unexpected("a name, a string or '[' after '.'")
                }
            case .openBracket:
                filter = try parseBracket(on: filter)
            case .question:
                advance()
                filter = .optional(filter)
            default:
                return filter
            }
        }
    }

    /// `[]`, `[expression]`, `[from:to]`, `[from:]`, `[:to]`.
    private mutating func parseBracket(on base: Filter) throws(SyntaxError) -> Filter {
        try expect(.openBracket, "'['")
        if current.kind == .closeBracket {
            advance()
            return .iterate(base)
        }
        var from: Filter?
        if current.kind != .colon { from = try parsePipe() }
        if current.kind == .colon {
            advance()
            var to: Filter?
            if current.kind != .closeBracket { to = try parsePipe() }
            try expect(.closeBracket, "']' to end the slice")
            return .slice(base, from: from, to: to)
        }
        try expect(.closeBracket, "']' after the index")
        if case .literal(.string(let key)) = from { return .field(base, key) }
        return .index(base, from!)
    }

    private mutating func parsePrimary() throws(SyntaxError) -> Filter {
        let token = current
        switch token.kind {
        case .field(let name):
            advance()
            return .field(.identity, name)
        case .dot:
            advance()
            if case .string(let key) = current.kind {
                advance()
                return .field(.identity, key)
            }
            if current.kind == .openBracket { return try parseBracket(on: .identity) }
            return .identity
        case .dotDot:
            advance()
            return .recurse
        case .number(let value, let literal):
            advance()
            return .literal(.number(value, literal: literal))
        case .string(let text):
            advance()
            return .literal(.string(text))
        case .openParen:
            advance()
            let inner = try parsePipe()
            try expect(.closeParen, "')'")
            return inner
        case .openBracket:
            advance()
            if current.kind == .closeBracket {
                advance()
                return .collect(nil)
            }
            let inner = try parsePipe()
            try expect(.closeBracket, "']' to end the array")
            return .collect(inner)
        case .openBrace:
            return try parseObject()
        case .identifier(let name):
            return try parseCall(name, column: token.column)
        default:
            throw unexpected("a filter")
        }
    }

    private mutating func parseCall(_ name: String, column: Int) throws(SyntaxError) -> Filter {
        advance()
        switch name {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        case "and", "or": throw SyntaxError(message: "'\(name)' needs a filter on its left", column: column)
        default: break
        }
        var arguments: [Filter] = []
        if current.kind == .openParen {
            advance()
            arguments.append(try parsePipe())
            while current.kind == .semicolon {
                advance()
                arguments.append(try parsePipe())
            }
            try expect(.closeParen, "')' after the arguments of \(name)")
        }
        guard let arities = FilterBuiltins.arities[name] else {
            throw SyntaxError(
                message:
                    "unknown function '\(name)'; known: \(FilterBuiltins.arities.keys.sorted().joined(separator: ", "))",
                column: column)
        }
        guard arities.contains(arguments.count) else {
            let expected = arities.sorted().map(String.init).joined(separator: " or ")
            throw SyntaxError(
                message: "\(name) takes \(expected) argument(s), not \(arguments.count)", column: column)
        }
        return .call(name, arguments)
    }

    /// `{a, "b c", d: .x, "e": 1, (.k): .v}`; a value is an `//`-level expression (wrap pipes in parentheses).
    private mutating func parseObject() throws(SyntaxError) -> Filter {
        try expect(.openBrace, "'{'")
        var entries: [ObjectEntry] = []
        while current.kind != .closeBrace {
            let key: ObjectEntry.Key
            switch current.kind {
            case .identifier(let name), .string(let name):
                key = .fixed(name)
                advance()
            case .openParen:
                advance()
                key = .computed(try parsePipe())
                try expect(.closeParen, "')' after the key")
            default:
                throw unexpected("an object key (a name, a string or a parenthesised filter)")
            }
            if current.kind == .colon {
                advance()
                entries.append(ObjectEntry(key: key, value: try parseAlternative()))
            } else if case .fixed(let name) = key {
                entries.append(ObjectEntry(key: key, value: .field(.identity, name)))
            } else {
                throw unexpected("':' after a computed key")
            }
            if current.kind == .comma {
                advance()
            } else if current.kind != .closeBrace {
                throw unexpected("',' or '}' in the object")
            }
        }
        advance()
        return .construct(entries)
    }
}
