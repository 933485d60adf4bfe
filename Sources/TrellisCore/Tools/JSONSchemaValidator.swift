/// Checks a JSON value against a JSON Schema, the subset tool schemas use.
///
/// Supported keywords: `type` (a name or a list), `properties`, `required`, `additionalProperties` (Boolean or
/// schema), `enum`, `const`, `items`, `minItems`, `maxItems`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `multipleOf`, `minLength`, `maxLength`, `pattern`, `anyOf`, `oneOf`, `allOf`.
/// `pattern` is matched by ``SchemaPattern`` in linear time; one it cannot compile is skipped (see
/// ``unusablePatterns(in:path:)``).
/// Unknown keywords (`description`, `format`, `$schema`, ...) are ignored, as the specification requires.
public struct JSONSchemaValidator: Sendable {
    /// The schema values are checked against.
    public let schema: JSONValue

    /// The steps one `pattern` check may take (``SchemaPattern/matches(_:budget:)``); a string that needs more is
    /// reported as too long to check.
    public var patternBudget: Int

    /// Creates a validator for a schema.
    public init(schema: JSONValue, patternBudget: Int = SchemaPattern.defaultBudget) {
        self.schema = schema
        self.patternBudget = patternBudget
    }

    /// Returns every violation found, each as `path: problem` (`$.city: expected string, got integer`);
    /// an empty list means the value is valid.
    public func violations(of value: JSONValue) -> [String] {
        var problems: [String] = []
        check(value, against: schema, path: "$", problems: &problems)
        return problems
    }

    /// A `pattern` keyword the validator skips: where it is and why it cannot be compiled.
    public struct UnusablePattern: Sendable, Equatable, CustomStringConvertible {
        /// The keyword's place in the schema (`$.properties.code.pattern`).
        public var path: String
        /// Why ``SchemaPattern`` cannot compile it.
        public var error: SchemaPatternError

        /// `$.properties.code.pattern: pattern '(a)\1' at character 4: backreferences (\1) need backtracking`.
        public var description: String { "\(path): \(error)" }
    }

    /// The `pattern` keywords of `schema` that are not checked, because they are not regular expressions or use
    /// what ``SchemaPattern`` leaves out (backreferences, lookaround).
    public static func unusablePatterns(in schema: JSONValue, path: String = "$") -> [UnusablePattern] {
        switch schema {
        case .array(let elements):
            return elements.enumerated().flatMap { unusablePatterns(in: $1, path: "\(path)[\($0)]") }
        case .object(let object):
            return object.members.flatMap { key, member -> [UnusablePattern] in
                guard key == "pattern", let source = member.stringValue else {
                    return unusablePatterns(in: member, path: "\(path).\(key)")
                }
                do throws(SchemaPatternError) {
                    _ = try SchemaPattern(source)
                    return []
                } catch {
                    return [UnusablePattern(path: "\(path).pattern", error: error)]
                }
            }
        default: return []
        }
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
        // A pattern that cannot be compiled is not checked here; `unusablePatterns(in:)` reports it.
        if let source = rules["pattern"]?.stringValue, let pattern = try? SchemaPattern(source) {
            switch pattern.matches(string, budget: patternBudget) {
            case true?: break
            case false?: problems.append("\(path): does not match pattern \(source)")
            case nil:
                problems.append("\(path): is too long (\(length) characters) to check against pattern \(source)")
            }
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
