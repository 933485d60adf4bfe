/// The builtin functions: their arities (checked by the parser) and their meaning.
enum FilterBuiltins {
    /// Every builtin's name and the numbers of arguments it takes.
    static let arities: [String: Set<Int>] = [
        "add": [0], "all": [0], "any": [0], "ascii_downcase": [0], "ascii_upcase": [0], "empty": [0],
        "endswith": [1], "first": [0, 1], "from_entries": [0], "fromjson": [0], "group_by": [1], "has": [1],
        "join": [1], "keys": [0], "last": [0, 1], "length": [0], "map": [1], "max": [0], "max_by": [1], "min": [0],
        "min_by": [1], "not": [0], "reverse": [0], "select": [1], "sort": [0], "sort_by": [1], "split": [1],
        "startswith": [1], "to_entries": [0], "tojson": [0], "tonumber": [0], "tostring": [0], "type": [0],
        "unique": [0], "unique_by": [1], "values": [0], "with_entries": [1],
    ]

    static func call(_ name: String, _ arguments: [Filter], _ input: JSON) throws(FilterError) -> [JSON] {
        func evaluate(_ filter: Filter, _ value: JSON) throws(FilterError) -> [JSON] {
            try FilterEvaluator.evaluate(filter, value)
        }
        func argument(_ position: Int) throws(FilterError) -> [JSON] { try evaluate(arguments[position], input) }

        switch (name, arguments.count) {
        case ("empty", _): return []
        case ("not", _): return [.bool(!input.isTruthy)]
        case ("type", _): return [.string(input.typeName)]
        case ("values", _): return input == .null ? [] : [input]
        case ("length", _): return [try length(input)]
        case ("keys", _): return [try keys(input)]
        case ("has", _):
            return try argument(0).map { key throws(FilterError) in try has(input, key) }
        case ("map", _):
            var outputs: [JSON] = []
            for element in try FilterEvaluator.iterate(input) { outputs += try evaluate(arguments[0], element) }
            return [.array(outputs)]
        case ("select", _):
            return try argument(0).filter(\.isTruthy).map { _ in input }
        case ("first", 0): return [try FilterEvaluator.index(input, by: .number(0))]
        case ("last", 0): return [try FilterEvaluator.index(input, by: .number(-1))]
        case ("first", _): return Array(try argument(0).prefix(1))
        case ("last", _): return Array(try argument(0).suffix(1))
        case ("reverse", _):
            switch input {
            case .null: return [.array([])]
            case .string(let text): return [.string(String(text.reversed()))]
            default: return [.array(try array(input, name).reversed())]
            }
        case ("sort", _): return [.array(try array(input, name).sorted())]
        case ("unique", _): return [.array(deduplicated(try array(input, name).sorted()))]
        case ("sort_by", _), ("group_by", _), ("unique_by", _), ("min_by", _), ("max_by", _):
            return [try keyed(name, arguments[0], input)]
        case ("min", _): return [try array(input, name).min() ?? .null]
        case ("max", _): return [try array(input, name).max() ?? .null]
        case ("add", _):
            var total = JSON.null
            for element in try FilterEvaluator.iterate(input) { total = try Arithmetic.apply(.add, total, element) }
            return [total]
        case ("any", _): return [.bool(try FilterEvaluator.iterate(input).contains(where: \.isTruthy))]
        case ("all", _): return [.bool(try FilterEvaluator.iterate(input).allSatisfy(\.isTruthy))]
        case ("to_entries", _): return [try toEntries(input)]
        case ("from_entries", _): return [try fromEntries(input)]
        case ("with_entries", _):
            var mapped: [JSON] = []
            for entry in try toEntries(input).arrayElements { mapped += try evaluate(arguments[0], entry) }
            return [try fromEntries(.array(mapped))]
        case ("join", _):
            return try argument(0).map { separator throws(FilterError) in try join(input, separator) }
        case ("split", _), ("startswith", _), ("endswith", _):
            return try argument(0).map { other throws(FilterError) in try stringFunction(name, input, other) }
        case ("ascii_downcase", _), ("ascii_upcase", _):
            guard case .string(let text) = input else { throw typeError(name, "a string", input) }
            return [.string(asciiCase(text, upper: name == "ascii_upcase"))]
        case ("tostring", _):
            if case .string = input { return [input] }
            return [.string(JSONWriter().write(input))]
        case ("tojson", _): return [.string(JSONWriter().write(input))]
        case ("fromjson", _), ("tonumber", _):
            return [try parse(name, input)]
        default:
            throw FilterError(message: "\(name)/\(arguments.count) is not implemented")
        }
    }

    // MARK: - Helpers

    private static func typeError(_ name: String, _ expected: String, _ value: JSON) -> FilterError {
        FilterError(message: "\(name) needs \(expected), not \(FilterEvaluator.describe(value))")
    }

    private static func array(_ value: JSON, _ name: String) throws(FilterError) -> [JSON] {
        guard case .array(let elements) = value else { throw typeError(name, "an array", value) }
        return elements
    }

    private static func length(_ value: JSON) throws(FilterError) -> JSON {
        switch value {
        case .null: return .number(0)
        case .bool: throw FilterError(message: "\(FilterEvaluator.describe(value)) has no length")
        case .number(let number, _): return .number(abs(number))
        case .string(let text): return .number(Double(text.unicodeScalars.count))
        case .array(let elements): return .number(Double(elements.count))
        case .object(let object): return .number(Double(object.count))
        }
    }

    private static func keys(_ value: JSON) throws(FilterError) -> JSON {
        switch value {
        case .object(let object):
            return .array(object.keys.sorted { JSON.compareText($0, $1) < 0 }.map(JSON.string))
        case .array(let elements):
            return .array(elements.indices.map { .number(Double($0)) })
        default:
            throw FilterError(message: "\(FilterEvaluator.describe(value)) has no keys")
        }
    }

    private static func has(_ value: JSON, _ key: JSON) throws(FilterError) -> JSON {
        switch (value, key) {
        case (.object(let object), .string(let name)): return .bool(object[name] != nil)
        case (.array(let elements), .number(let position, _)):
            return .bool(position >= 0 && position < Double(elements.count))
        default:
            throw FilterError(
                message: "cannot check whether \(value.typeName) has a key \(FilterEvaluator.describe(key))")
        }
    }

    private static func deduplicated(_ sorted: [JSON]) -> [JSON] {
        var result: [JSON] = []
        for element in sorted where result.last.map({ $0 != element }) ?? true { result.append(element) }
        return result
    }

    /// sort_by, group_by, unique_by, min_by, max_by: each element's key is the array of `key`'s outputs.
    private static func keyed(_ name: String, _ key: Filter, _ input: JSON) throws(FilterError) -> JSON {
        var pairs: [(key: JSON, element: JSON)] = []
        for element in try array(input, name) {
            pairs.append((.array(try FilterEvaluator.evaluate(key, element)), element))
        }
        let sorted = pairs.enumerated().sorted { lhs, rhs in
            let order = JSON.compare(lhs.element.key, rhs.element.key)
            return order != 0 ? order < 0 : lhs.offset < rhs.offset
        }.map(\.element)
        switch name {
        case "min_by": return sorted.first?.element ?? .null
        case "max_by": return sorted.last?.element ?? .null
        case "sort_by": return .array(sorted.map(\.element))
        default:
            var groups: [[(key: JSON, element: JSON)]] = []
            for pair in sorted {
                if let last = groups.last?.last, last.key == pair.key {
                    groups[groups.count - 1].append(pair)
                } else {
                    groups.append([pair])
                }
            }
            if name == "unique_by" { return .array(groups.map { $0[0].element }) }
            return .array(groups.map { .array($0.map(\.element)) })
        }
    }

    private static func toEntries(_ value: JSON) throws(FilterError) -> JSON {
        guard case .object(let object) = value else { throw typeError("to_entries", "an object", value) }
        return .array(object.members.map { .object(JSONObject([("key", .string($0.key)), ("value", $0.value)])) })
    }

    /// Accepts the key under key, k, name, Name, K or Key and the value under value, v or Value, as jq does.
    private static func fromEntries(_ value: JSON) throws(FilterError) -> JSON {
        var object = JSONObject()
        for entry in try array(value, "from_entries") {
            let key = ["key", "k", "name", "Name", "K", "Key"].lazy.compactMap { entry[$0] }.first { $0 != .null }
            let member = ["value", "v", "Value"].lazy.compactMap { entry[$0] }.first ?? .null
            switch key {
            case .string(let name)?: object[name] = member
            case .number(let number, _)?: object[JSONWriter.format(number)] = member
            case .bool(let flag)?: object[flag ? "true" : "false"] = member
            default:
                throw FilterError(message: "from_entries needs a string key in \(FilterEvaluator.describe(entry))")
            }
        }
        return .object(object)
    }

    private static func join(_ value: JSON, _ separator: JSON) throws(FilterError) -> JSON {
        guard case .string(let glue) = separator else { throw typeError("join", "a string separator", separator) }
        let parts = try array(value, "join").map { element throws(FilterError) -> String in
            switch element {
            case .null: return ""
            case .string(let text): return text
            case .number, .bool: return JSONWriter().write(element)
            default: throw FilterError(message: "join cannot join \(FilterEvaluator.describe(element))")
            }
        }
        return .string(parts.joined(separator: glue))
    }

    private static func stringFunction(_ name: String, _ input: JSON, _ other: JSON) throws(FilterError) -> JSON {
        guard case .string(let text) = input, case .string(let argument) = other else {
            throw FilterError(
                message: "\(name) needs strings, not \(FilterEvaluator.describe(input)) and "
                    + FilterEvaluator.describe(other))
        }
        switch name {
        case "split": return .array(Arithmetic.split(text, by: argument).map(JSON.string))
        case "startswith": return .bool(text.utf8.starts(with: argument.utf8))
        default: return .bool(text.utf8.reversed().starts(with: argument.utf8.reversed()))
        }
    }

    private static func asciiCase(_ text: String, upper: Bool) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let shifted: UInt32? =
                upper
                ? (("a"..."z").contains(scalar) ? scalar.value - 32 : nil)
                : (("A"..."Z").contains(scalar) ? scalar.value + 32 : nil)
            result.append(shifted.flatMap(Unicode.Scalar.init) ?? scalar)
        }
        return String(result)
    }

    private static func parse(_ name: String, _ input: JSON) throws(FilterError) -> JSON {
        if name == "tonumber", case .number = input { return input }
        guard case .string(let text) = input else { throw typeError(name, "a string", input) }
        let parsed: JSON
        do {
            parsed = try JSONParser.parse(text)
        } catch {
            throw FilterError(message: "\(name) cannot parse \(FilterEvaluator.describe(input)): \(error.description)")
        }
        if name == "tonumber", parsed.doubleValue == nil {
            throw FilterError(message: "tonumber cannot parse \(FilterEvaluator.describe(input)) as a number")
        }
        return parsed
    }
}

extension JSON {
    /// The elements, or none when this is not an array.
    fileprivate var arrayElements: [JSON] {
        if case .array(let elements) = self { return elements }
        return []
    }
}
