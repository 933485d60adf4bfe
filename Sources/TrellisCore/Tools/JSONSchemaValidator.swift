/// Checks a JSON value against a JSON Schema, the subset tool schemas use.
///
/// Supported keywords: `type` (a name or a list), `properties`, `required`, `additionalProperties` (Boolean or
/// schema), `enum`, `const`, `items`, `minItems`, `maxItems`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `multipleOf`, `minLength`, `maxLength`, `pattern`, `anyOf`, `oneOf`, `allOf`.
/// Unknown keywords (`description`, `format`, `$schema`, ...) are ignored, as the specification requires.
public struct JSONSchemaValidator: Sendable {
    /// The schema values are checked against.
    public let schema: JSONValue

    /// Creates a validator for a schema.
    public init(schema: JSONValue) { self.schema = schema }

    /// Returns every violation found, each as `path: problem` (`$.city: expected string, got integer`);
    /// an empty list means the value is valid.
    public func violations(of value: JSONValue) -> [String] {
        var problems: [String] = []
        check(value, against: schema, path: "$", problems: &problems)
        return problems
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: String, problems: inout [String]) {
        guard case .object(let rules) = schema else {
            if case .bool(false) = schema { problems.append("\(path): no value is allowed here") }
            return
        }
        if let expected = rules["type"], !matchesType(value, expected) {
            let names = expected.arrayValue?.compactMap(\.stringValue).joined(separator: " or ") ?? expected.stringValue
            problems.append("\(path): expected \(names ?? "?"), got \(value.typeName)")
            return
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, value) }) {
            let list = options.map { $0.serialized() }.joined(separator: ", ")
            problems.append("\(path): \(value.serialized()) is not one of \(list)")
        }
        if let constant = rules["const"], !Self.equal(constant, value) {
            problems.append("\(path): must be \(constant.serialized())")
        }
        switch value {
        case .object(let object): checkObject(object, rules: rules, path: path, problems: &problems)
        case .array(let elements): checkArray(elements, rules: rules, path: path, problems: &problems)
        case .string(let string): checkString(string, rules: rules, path: path, problems: &problems)
        case .integer, .number: checkNumber(value.doubleValue!, rules: rules, path: path, problems: &problems)
        default: break
        }
        checkCombinators(value, rules: rules, path: path, problems: &problems)
    }

    private func matchesType(_ value: JSONValue, _ expected: JSONValue) -> Bool {
        if let names = expected.arrayValue { return names.contains { matchesType(value, $0) } }
        switch (expected.stringValue, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("number", .integer), ("number", .number), ("integer", .integer):
            return true
        case ("integer", .number(let number)):
            return number.rounded() == number
        case (nil, _):
            return true
        default:
            return false
        }
    }

    private func checkObject(_ object: JSONObject, rules: JSONObject, path: String, problems: inout [String]) {
        let properties = rules["properties"]?.objectValue ?? JSONObject()
        for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
            problems.append("\(path): missing required property '\(name)'")
        }
        for (key, member) in object.members {
            let memberPath = "\(path).\(key)"
            if let propertySchema = properties[key] {
                check(member, against: propertySchema, path: memberPath, problems: &problems)
            } else if let additional = rules["additionalProperties"] {
                if case .bool(false) = additional {
                    let known = properties.keys.isEmpty ? "none" : properties.keys.joined(separator: ", ")
                    problems.append("\(path): unexpected property '\(key)' (allowed: \(known))")
                } else {
                    check(member, against: additional, path: memberPath, problems: &problems)
                }
            }
        }
    }

    private func checkArray(_ elements: [JSONValue], rules: JSONObject, path: String, problems: inout [String]) {
        if let minimum = rules["minItems"]?.intValue, elements.count < minimum {
            problems.append("\(path): needs at least \(minimum) items, got \(elements.count)")
        }
        if let maximum = rules["maxItems"]?.intValue, elements.count > maximum {
            problems.append("\(path): allows at most \(maximum) items, got \(elements.count)")
        }
        if let itemSchema = rules["items"] {
            for (position, element) in elements.enumerated() {
                check(element, against: itemSchema, path: "\(path)[\(position)]", problems: &problems)
            }
        }
    }

    private func checkString(_ string: String, rules: JSONObject, path: String, problems: inout [String]) {
        let length = string.count
        if let minimum = rules["minLength"]?.intValue, length < minimum {
            problems.append("\(path): must be at least \(minimum) characters long, got \(length)")
        }
        if let maximum = rules["maxLength"]?.intValue, length > maximum {
            problems.append("\(path): must be at most \(maximum) characters long, got \(length)")
        }
        if let pattern = rules["pattern"]?.stringValue, let regex = try? Regex(pattern),
            (try? regex.firstMatch(in: string)) == nil
        {
            problems.append("\(path): does not match pattern \(pattern)")
        }
    }

    private func checkNumber(_ number: Double, rules: JSONObject, path: String, problems: inout [String]) {
        if let minimum = rules["minimum"]?.doubleValue, number < minimum {
            problems.append("\(path): must be ≥ \(JSONValue.number(minimum)), got \(JSONValue.number(number))")
        }
        if let maximum = rules["maximum"]?.doubleValue, number > maximum {
            problems.append("\(path): must be ≤ \(JSONValue.number(maximum)), got \(JSONValue.number(number))")
        }
        if let minimum = rules["exclusiveMinimum"]?.doubleValue, number <= minimum {
            problems.append("\(path): must be > \(JSONValue.number(minimum)), got \(JSONValue.number(number))")
        }
        if let maximum = rules["exclusiveMaximum"]?.doubleValue, number >= maximum {
            problems.append("\(path): must be < \(JSONValue.number(maximum)), got \(JSONValue.number(number))")
        }
        if let divisor = rules["multipleOf"]?.doubleValue, divisor > 0 {
            let quotient = number / divisor
            if abs(quotient - quotient.rounded()) > 1e-9 {
                problems.append("\(path): must be a multiple of \(JSONValue.number(divisor))")
            }
        }
    }

    private func checkCombinators(_ value: JSONValue, rules: JSONObject, path: String, problems: inout [String]) {
        if let all = rules["allOf"]?.arrayValue {
            for schema in all { check(value, against: schema, path: path, problems: &problems) }
        }
        if let any = rules["anyOf"]?.arrayValue, !any.contains(where: { isValid(value, $0, path) }) {
            problems.append("\(path): matches none of the allowed alternatives (anyOf)")
        }
        if let one = rules["oneOf"]?.arrayValue {
            let matches = one.filter { isValid(value, $0, path) }.count
            if matches != 1 {
                problems.append("\(path): must match exactly one alternative (oneOf), matched \(matches)")
            }
        }
    }

    private func isValid(_ value: JSONValue, _ schema: JSONValue, _ path: String) -> Bool {
        var scratch: [String] = []
        check(value, against: schema, path: path, problems: &scratch)
        return scratch.isEmpty
    }

    /// JSON equality where `1` and `1.0` are the same number.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = lhs.doubleValue, let right = rhs.doubleValue, lhs.stringValue == nil, rhs.stringValue == nil {
            return left == right
        }
        return lhs == rhs
    }
}
