/// Runs a ``Filter`` on a value, with jq's semantics for the supported subset.
enum FilterEvaluator {
    /// Every output of `filter` for `input`, in order.
    static func evaluate(_ filter: Filter, _ input: JSON) throws(FilterError) -> [JSON] {
        switch filter {
        case .identity:
            return [input]
        case .recurse:
            var outputs: [JSON] = []
            collectRecursively(input, into: &outputs)
            return outputs
        case .field(let base, let key):
            return try evaluate(base, input).map { value throws(FilterError) in try index(value, by: .string(key)) }
        case .index(let base, let indexFilter):
            var outputs: [JSON] = []
            for value in try evaluate(base, input) {
                for key in try evaluate(indexFilter, input) { outputs.append(try index(value, by: key)) }
            }
            return outputs
        case .slice(let base, let from, let to):
            var outputs: [JSON] = []
            for value in try evaluate(base, input) {
                for start in try from.map({ f throws(FilterError) in try evaluate(f, input) }) ?? [.null] {
                    for end in try to.map({ f throws(FilterError) in try evaluate(f, input) }) ?? [.null] {
                        outputs.append(try slice(value, from: start, to: end))
                    }
                }
            }
            return outputs
        case .iterate(let base):
            var outputs: [JSON] = []
            for value in try evaluate(base, input) { outputs.append(contentsOf: try iterate(value)) }
            return outputs
        case .optional(let inner):
            return (try? evaluate(inner, input)) ?? []
        case .literal(let value):
            return [value]
        case .pipe(let lhs, let rhs):
            var outputs: [JSON] = []
            for value in try evaluate(lhs, input) { outputs.append(contentsOf: try evaluate(rhs, value)) }
            return outputs
        case .comma(let lhs, let rhs):
            return try evaluate(lhs, input) + evaluate(rhs, input)
        case .alternative(let lhs, let rhs):
            let truthy = ((try? evaluate(lhs, input)) ?? []).filter(\.isTruthy)
            return truthy.isEmpty ? try evaluate(rhs, input) : truthy
        case .logic(let lhs, let logic, let rhs):
            var outputs: [JSON] = []
            for left in try evaluate(lhs, input) {
                // false and _ is false, true or _ is true: the right side is not evaluated.
                if left.isTruthy == (logic == .or) {
                    outputs.append(.bool(left.isTruthy))
                    continue
                }
                for right in try evaluate(rhs, input) { outputs.append(.bool(right.isTruthy)) }
            }
            return outputs
        case .compare(let lhs, let comparison, let rhs):
            return try cartesian(lhs, rhs, input) { left, right in .bool(comparison.holds(left, right)) }
        case .arithmetic(let lhs, let arithmetic, let rhs):
            return try cartesian(lhs, rhs, input) { left, right throws(FilterError) in
                try Arithmetic.apply(arithmetic, left, right)
            }
        case .negate(let operand, _):
            return try evaluate(operand, input).map { value throws(FilterError) in
                guard case .number(let number, _) = value else {
                    throw FilterError(message: "\(describe(value)) cannot be negated")
                }
                return .number(-number)
            }
        case .collect(let inner):
            return [.array(try inner.map { f throws(FilterError) in try evaluate(f, input) } ?? [])]
        case .construct(let entries):
            return try construct(entries, input)
        case .call(let name, let arguments):
            return try FilterBuiltins.call(name, arguments, input)
        }
    }

    /// jq evaluates the right operand in the outer loop: `(1,2) + (10,20)` gives 11, 12, 21, 22.
    private static func cartesian(
        _ lhs: Filter, _ rhs: Filter, _ input: JSON, _ combine: (JSON, JSON) throws(FilterError) -> JSON
    ) throws(FilterError) -> [JSON] {
        let lefts = try evaluate(lhs, input)
        var outputs: [JSON] = []
        for right in try evaluate(rhs, input) {
            for left in lefts { outputs.append(try combine(left, right)) }
        }
        return outputs
    }

    private static func collectRecursively(_ value: JSON, into outputs: inout [JSON]) {
        outputs.append(value)
        switch value {
        case .array(let elements): for element in elements { collectRecursively(element, into: &outputs) }
        case .object(let object): for (_, member) in object.members { collectRecursively(member, into: &outputs) }
        default: break
        }
    }

    private static func construct(_ entries: [ObjectEntry], _ input: JSON) throws(FilterError) -> [JSON] {
        var objects = [JSONObject()]
        for entry in entries {
            let keys: [String]
            switch entry.key {
            case .fixed(let name):
                keys = [name]
            case .computed(let filter):
                keys = try evaluate(filter, input).map { key throws(FilterError) in
                    guard case .string(let name) = key else {
                        throw FilterError(message: "object keys must be strings, not \(describe(key))")
                    }
                    return name
                }
            }
            let values = try evaluate(entry.value, input)
            var next: [JSONObject] = []
            for object in objects {
                for key in keys {
                    for value in values {
                        var extended = object
                        extended[key] = value
                        next.append(extended)
                    }
                }
            }
            objects = next
        }
        return objects.map(JSON.object)
    }

    // MARK: - Paths

    /// `value[key]`: an object member, an array element (negative from the end), null for anything missing.
    static func index(_ value: JSON, by key: JSON) throws(FilterError) -> JSON {
        switch (value, key) {
        case (.null, .string), (.null, .number), (.null, .null):
            return .null
        case (.object(let object), .string(let name)):
            return object[name] ?? .null
        case (.array(let elements), .number(let number, _)):
            guard abs(number) <= Double(elements.count) else { return .null }
            var position = Int(number.rounded(.down))
            if position < 0 { position += elements.count }
            return elements.indices.contains(position) ? elements[position] : .null
        default:
            let shownKey = key.typeName == "string" || key.typeName == "number" ? JSONWriter().write(key) : key.typeName
            throw FilterError(message: "cannot index \(describe(value)) with \(shownKey)")
        }
    }

    /// `.[from:to]` on an array or string (in code points); bounds clamp, negative bounds count from the end.
    static func slice(_ value: JSON, from: JSON, to: JSON) throws(FilterError) -> JSON {
        func bound(_ bound: JSON, count: Int, default fallback: Int) throws(FilterError) -> Int {
            switch bound {
            case .null: return fallback
            case .number(let number, _) where number.isFinite:
                let position = Int(min(max(number, -Double(count)), Double(count)).rounded(.down))
                return min(max(position < 0 ? position + count : position, 0), count)
            default: throw FilterError(message: "slice bounds must be numbers, not \(describe(bound))")
            }
        }
        switch value {
        case .null:
            return .null
        case .array(let elements):
            let start = try bound(from, count: elements.count, default: 0)
            let end = try bound(to, count: elements.count, default: elements.count)
            return .array(start < end ? Array(elements[start..<end]) : [])
        case .string(let text):
            let scalars = Array(text.unicodeScalars)
            let start = try bound(from, count: scalars.count, default: 0)
            let end = try bound(to, count: scalars.count, default: scalars.count)
            var result = String.UnicodeScalarView()
            if start < end { result.append(contentsOf: scalars[start..<end]) }
            return .string(String(result))
        default:
            throw FilterError(message: "cannot slice \(value.typeName)")
        }
    }

    /// `.[]`
    static func iterate(_ value: JSON) throws(FilterError) -> [JSON] {
        switch value {
        case .array(let elements): return elements
        case .object(let object): return object.members.map(\.value)
        default: throw FilterError(message: "cannot iterate over \(describe(value))")
        }
    }

    /// A value for an error message: its type and, when short, its text (`number (42)`).
    static func describe(_ value: JSON) -> String {
        let text = JSONWriter().write(value)
        let shown = text.count > 30 ? String(text.prefix(27)) + "..." : text
        return "\(value.typeName) (\(shown))"
    }
}
