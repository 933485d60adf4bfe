extension JSONValue {
    /// Serialises the value as compact JSON text.
    ///
    /// - Parameter sortedKeys: Whether to write object keys in sorted order (a canonical form) instead of
    ///   their insertion order.
    /// - Returns: The JSON text, with non-ASCII characters written as UTF-8 and `/` unescaped.
    public func serialized(sortedKeys: Bool = false) -> String {
        var output = ""
        output.reserveCapacity(64)
        write(to: &output, sortedKeys: sortedKeys)
        return output
    }

    /// Serialises the value as indented JSON text (two spaces), for people to read.
    public func serialized(pretty: Bool) -> String {
        guard pretty else { return serialized() }
        var output = ""
        writePretty(to: &output, indent: "")
        return output
    }

    private func writePretty(to output: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            output += "[\n"
            for (position, element) in elements.enumerated() {
                output += inner
                element.writePretty(to: &output, indent: inner)
                output += position == elements.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let object) where !object.isEmpty:
            output += "{\n"
            for (position, member) in object.members.enumerated() {
                output += inner
                Self.writeString(member.key, to: &output)
                output += ": "
                member.value.writePretty(to: &output, indent: inner)
                output += position == object.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        default:
            write(to: &output, sortedKeys: false)
        }
    }

    /// Writes the value as compact JSON text at the end of `output`.
    package func write(to output: inout String, sortedKeys: Bool) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .number(let value): output += Self.format(value)
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let elements):
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                element.write(to: &output, sortedKeys: sortedKeys)
            }
            output += "]"
        case .object(let object):
            output += "{"
            let keys = sortedKeys ? object.keys.sorted() : object.keys
            for (position, key) in keys.enumerated() {
                if position > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                object[key]!.write(to: &output, sortedKeys: sortedKeys)
            }
            output += "}"
        }
    }

    private static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes `string` as a JSON string literal at the end of `output`.
    package static func writeString(_ string: String, to output: inout String) {
        output += "\""
        var needsEscaping = false
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscaping = true
            break
        }
        guard needsEscaping else {
            output += string
            output += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count + 8)
        for byte in string.utf8 {
            switch byte {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
            case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20:
                bytes += Array("\\u00".utf8)
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        output += String(decoding: bytes, as: UTF8.self)
        output += "\""
    }
}

extension JSONObject {
    /// Serialises the object as compact JSON text, in insertion order, with `text` written as it is for the value
    /// of `key`: for a member already held as JSON text (a cached transcript).
    package func serialized(writing text: String, asValueOf key: String) -> String {
        var output = "{"
        output.reserveCapacity(text.utf8.count + 64)
        for (position, member) in members.enumerated() {
            if position > 0 { output += "," }
            JSONValue.writeString(member.key, to: &output)
            output += ":"
            if member.key == key {
                output += text
            } else {
                member.value.write(to: &output, sortedKeys: false)
            }
        }
        output += "}"
        return output
    }
}
