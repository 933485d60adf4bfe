import TrellisCore

/// Builds a value that a JSON Schema accepts, for calling a tool with plausible arguments.
///
/// Taken first: `const`, then the first of `enum`, then `default`, then the first of `examples`; otherwise a value
/// of the (first non-null) `type` that honours `required`, `minimum`/`maximum` (and the exclusive forms),
/// `multipleOf`, `minLength`/`maxLength`, common `format`s, `items`, `minItems`/`maxItems`, and the first
/// alternative of `anyOf`/`oneOf`. `pattern` is not honoured; check the result with ``JSONSchemaValidator``.
public enum SampleArguments {
    /// A value the schema should accept; an object schema gives its required properties (all of them when none is
    /// required).
    public static func sample(for schema: JSONValue) -> JSONValue { sample(schema, depth: 0) }

    private static func sample(_ schema: JSONValue, depth: Int) -> JSONValue {
        guard case .object(let rules) = schema, depth < 10 else { return .null }
        if let constant = rules["const"] { return constant }
        if let first = rules["enum"]?.arrayValue?.first { return first }
        if let value = rules["default"] { return value }
        if let first = rules["examples"]?.arrayValue?.first { return first }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let first = rules[key]?.arrayValue?.first { return sample(merged(rules, first), depth: depth + 1) }
        }
        switch type(of: rules) {
        case "object": return object(rules, depth: depth)
        case "array": return array(rules, depth: depth)
        case "string": return .string(string(rules))
        case "integer": return .integer(integer(rules))
        case "number": return .number(number(rules))
        case "boolean": return .bool(true)
        default: return .null
        }
    }

    /// The first non-null type named; `object` when there are properties, `null` otherwise.
    private static func type(of rules: JSONObject) -> String {
        if let name = rules["type"]?.stringValue { return name }
        if let names = rules["type"]?.arrayValue?.compactMap(\.stringValue) {
            return names.first { $0 != "null" } ?? "null"
        }
        return rules["properties"] != nil ? "object" : "null"
    }

    /// An alternative with the surrounding schema's other keywords (a `type` outside `anyOf` still applies).
    private static func merged(_ rules: JSONObject, _ alternative: JSONValue) -> JSONValue {
        var combined = rules
        for key in ["anyOf", "oneOf", "allOf"] { combined[key] = nil }
        for (key, value) in alternative.objectValue?.members ?? [] { combined[key] = value }
        return .object(combined)
    }

    private static func object(_ rules: JSONObject, depth: Int) -> JSONValue {
        let properties = rules["properties"]?.objectValue ?? JSONObject()
        let required = rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let names = required.isEmpty ? properties.keys : required
        var object = JSONObject()
        for name in names { object[name] = sample(properties[name] ?? [:], depth: depth + 1) }
        return .object(object)
    }

    private static func array(_ rules: JSONObject, depth: Int) -> JSONValue {
        var count = max(rules["minItems"]?.intValue ?? 1, 1)
        if let maximum = rules["maxItems"]?.intValue { count = min(count, maximum) }
        let item = sample(rules["items"] ?? ["type": "string"], depth: depth + 1)
        return .array(Array(repeating: item, count: count))
    }

    private static func string(_ rules: JSONObject) -> String {
        var text: String
        switch rules["format"]?.stringValue {
        case "date-time": text = "2025-01-01T00:00:00Z"
        case "date": text = "2025-01-01"
        case "time": text = "00:00:00Z"
        case "email": text = "someone@example.com"
        case "uri", "url": text = "https://example.com/"
        case "uuid": text = "00000000-0000-4000-8000-000000000000"
        default: text = "sample"
        }
        if let minimum = rules["minLength"]?.intValue, text.count < minimum {
            text += String(repeating: "x", count: minimum - text.count)
        }
        if let maximum = rules["maxLength"]?.intValue, text.count > maximum { text = String(text.prefix(maximum)) }
        return text
    }

    private static func number(_ rules: JSONObject) -> Double {
        let low = rules["minimum"]?.doubleValue ?? rules["exclusiveMinimum"]?.doubleValue.map { $0 + 1 }
        let high = rules["maximum"]?.doubleValue ?? rules["exclusiveMaximum"]?.doubleValue.map { $0 - 1 }
        var value = low ?? min(1, high ?? 1)
        if let high, value > high { value = low.map { ($0 + high) / 2 } ?? high }
        if let step = rules["multipleOf"]?.doubleValue, step > 0 { value = (value / step).rounded(.up) * step }
        return value
    }

    private static func integer(_ rules: JSONObject) -> Int {
        let low =
            rules["minimum"]?.doubleValue.map { Int($0.rounded(.up)) }
            ?? rules["exclusiveMinimum"]?.doubleValue.map { Int($0.rounded(.down)) + 1 }
        let high =
            rules["maximum"]?.doubleValue.map { Int($0.rounded(.down)) }
            ?? rules["exclusiveMaximum"]?.doubleValue.map { Int($0.rounded(.up)) - 1 }
        var value = low ?? min(1, high ?? 1)
        if let step = rules["multipleOf"]?.intValue, step > 0 {
            value = Int((Double(value) / Double(step)).rounded(.up)) * step
        }
        return value
    }
}
