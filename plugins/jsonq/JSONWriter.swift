/// Writes JSON text: compact (`indent` 0, like `jq -c`) or pretty-printed with `indent` spaces (like `jq`).
struct JSONWriter {
    var indent = 0
    var sortKeys = false

    /// The text of `value`.
    func write(_ value: JSON) -> String {
        var output = ""
        write(value, level: 0, into: &output)
        return output
    }

    private func write(_ value: JSON, level: Int, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number, let literal): output += literal ?? Self.format(number)
        case .string(let text): Self.quote(text, into: &output)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                newline(level + 1, into: &output)
                write(element, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output += "]"
        case .object(let object):
            if object.count == 0 {
                output += "{}"
                return
            }
            output += "{"
            let keys = sortKeys ? object.keys.sorted { JSON.compareText($0, $1) < 0 } : object.keys
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                newline(level + 1, into: &output)
                Self.quote(key, into: &output)
                output += indent > 0 ? ": " : ":"
                write(object[key]!, level: level + 1, into: &output)
            }
            newline(level, into: &output)
            output += "}"
        }
    }

    private func newline(_ level: Int, into output: inout String) {
        guard indent > 0 else { return }
        output += "\n"
        output += String(repeating: " ", count: indent * level)
    }

    /// A computed number: integral values without a fraction, others in Swift's shortest round-trip form;
    /// NaN and infinities, which JSON cannot hold, as `null`.
    static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 1e17 { return String(Int64(number)) }
        return number.description
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        var output = ""
        quote(text, into: &output)
        return output
    }
}
