/// Splits a filter into tokens, each with its 1-based column.
struct FilterLexer {
    /// One token of a filter.
    enum Kind: Equatable, Sendable {
        case dot, dotDot, question, pipe, comma, colon, semicolon
        case openParen, closeParen, openBracket, closeBracket, openBrace, closeBrace
        /// `.name`
        case field(String)
        /// `name`, including `and`, `or`, `true`, `false`, `null` and function names.
        case identifier(String)
        case string(String)
        case number(Double, literal: String)
        /// `==` `!=` `<` `<=` `>` `>=` `+` `-` `*` `/` `%` `//`
        case symbol(String)
        case end
    }

    /// A token and where it starts.
    struct Token: Sendable {
        let kind: Kind
        let column: Int
    }

    /// A filter that cannot be read, with the column of the problem.
    struct SyntaxError: Error, Sendable {
        let message: String
        let column: Int
    }

    private let scalars: [Unicode.Scalar]
    private var position = 0

    /// The tokens of `filter`, ending with `.end`.
    static func tokens(of filter: String) throws(SyntaxError) -> [Token] {
        var lexer = FilterLexer(scalars: Array(filter.unicodeScalars))
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar)
    }

    private mutating func next() throws(SyntaxError) -> Token {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            position += 1
        }
        let column = position + 1
        guard let scalar = peek() else { return Token(kind: .end, column: column) }
        func single(_ kind: Kind) -> Token {
            position += 1
            return Token(kind: kind, column: column)
        }
        switch scalar {
        case ".":
            if peek(1) == "." {
                position += 2
                return Token(kind: .dotDot, column: column)
            }
            if let next = peek(1), Self.isIdentifierStart(next) {
                position += 1
                return Token(kind: .field(identifier()), column: column)
            }
            return single(.dot)
        case "?": return single(.question)
        case "|": return single(.pipe)
        case ",": return single(.comma)
        case ":": return single(.colon)
        case ";": return single(.semicolon)
        case "(": return single(.openParen)
        case ")": return single(.closeParen)
        case "[": return single(.openBracket)
        case "]": return single(.closeBracket)
        case "{": return single(.openBrace)
        case "}": return single(.closeBrace)
        case "\"": return Token(kind: .string(try string()), column: column)
        case "=", "!", "<", ">":
            if peek(1) == "=" {
                position += 2
                return Token(kind: .symbol(String(scalar) + "="), column: column)
            }
            if scalar == "<" || scalar == ">" { return single(.symbol(String(scalar))) }
            if scalar == "=" {
                throw SyntaxError(message: "assignment '=' is not supported; use '==' to compare", column: column)
            }
            throw SyntaxError(message: "unexpected '!'; use '!=' or 'not'", column: column)
        case "/":
            if peek(1) == "/" {
                position += 2
                return Token(kind: .symbol("//"), column: column)
            }
            return single(.symbol("/"))
        case "+", "-", "*", "%": return single(.symbol(String(scalar)))
        case "0"..."9": return Token(kind: number(), column: column)
        case "$":
            throw SyntaxError(message: "variables ($name) are not supported", column: column)
        default:
            if Self.isIdentifierStart(scalar) { return Token(kind: .identifier(identifier()), column: column) }
            throw SyntaxError(message: "unexpected character '\(scalar)'", column: column)
        }
    }

    private mutating func identifier() -> String {
        var name = ""
        while let scalar = peek(), Self.isIdentifierPart(scalar) {
            name.unicodeScalars.append(scalar)
            position += 1
        }
        return name
    }

    private mutating func number() -> Kind {
        var text = ""
        func take(while accept: (Unicode.Scalar) -> Bool) {
            while let scalar = peek(), accept(scalar) {
                text.unicodeScalars.append(scalar)
                position += 1
            }
        }
        let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        take(while: isDigit)
        if peek() == ".", let next = peek(1), isDigit(next) {
            text += "."
            position += 1
            take(while: isDigit)
        }
        if peek() == "e" || peek() == "E", let next = peek(1),
            isDigit(next) || ((next == "+" || next == "-") && peek(2).map(isDigit) == true)
        {
            text += "e"
            position += 1
            if peek() == "+" || peek() == "-" {
                text.unicodeScalars.append(peek()!)
                position += 1
            }
            take(while: isDigit)
        }
        return .number(Double(text) ?? .nan, literal: text)
    }

    /// A string literal with JSON escapes; the column of an error is the offending character's.
    private mutating func string() throws(SyntaxError) -> String {
        let start = position + 1
        position += 1
        var text = String.UnicodeScalarView()
        while let scalar = peek() {
            position += 1
            if scalar == "\"" { return String(text) }
            guard scalar == "\\" else {
                text.append(scalar)
                continue
            }
            guard let escape = peek() else { break }
            position += 1
            switch escape {
            case "\"", "\\", "/": text.append(escape)
            case "n": text.append("\n")
            case "t": text.append("\t")
            case "r": text.append("\r")
            case "b": text.append("\u{08}")
            case "f": text.append("\u{0C}")
            case "u":
                let digits = (0..<4).compactMap { peek($0) }.map(String.init).joined()
                guard digits.count == 4, let value = UInt32(digits, radix: 16), let decoded = Unicode.Scalar(value)
                else { throw SyntaxError(message: "expected four hex digits after \\u", column: position + 1) }
                text.append(decoded)
                position += 4
            case "(":
                throw SyntaxError(message: "string interpolation \\( ) is not supported", column: position - 1)
            default:
                throw SyntaxError(message: "invalid escape '\\\(escape)' in a string", column: position - 1)
            }
        }
        throw SyntaxError(message: "unterminated string", column: start)
    }
}
