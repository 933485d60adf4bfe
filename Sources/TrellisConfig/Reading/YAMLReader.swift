import TrellisCore
import Yams

/// Reads a composed YAML tree with exact positions: every failure is a ``DefinitionError`` at the node's
/// `line:column`. String values get `${VAR}` substitution here, after parsing, never in the raw text.
struct YAMLReader {
    let file: String
    let environment: [String: String]

    /// Parses the text into a node tree; syntax errors carry the parser's position. A text past
    /// ``ConfigLimits``'s size, nesting or alias-expansion bounds is an error before it is composed.
    func compose(_ text: String) throws(DefinitionError) -> Node? {
        try YAMLBudget(file: file).check(text)
        do {
            // The reader types scalars itself (see `json(_:)`), so Yams need not: its default resolver matches
            // every mapping key against regular expressions (to hash it by tag) and compiles them at first use.
            return try Yams.compose(yaml: text, .basic)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, _) {
            // Yams's order and place for these depend on hash seeds when keys are lists or mappings.
            // Where the finder and Yams disagree (keys Yams compares by resolved tag), Yams's place is not stable,
            // so the problem is the file's, naming the plain keys (sorted) and counting the others.
            throw DuplicateKeyFinder(file: file).firstDuplicate(in: text)
                ?? DefinitionError(file: file, line: 0, column: 0, message: Self.duplicatesMessage(duplicates))
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw DefinitionError(file: file, line: 0, column: 0, message: "cannot parse YAML: \(error)")
        }
    }

    /// `a mapping repeats keys: 'a', 'b' and 2 lists or mappings`.
    static func duplicatesMessage(_ duplicates: [String]) -> String {
        let plain = duplicates.filter { $0 != "<uncovertable>" }.sorted().map { "'\($0)'" }
        let complex = duplicates.count - plain.count
        var parts = plain
        if complex > 0 { parts.append("\(complex) list(s) or mapping(s)") }
        return "a mapping repeats keys: " + parts.joined(separator: ", ")
    }

    private func syntaxError(_ error: YamlError) -> DefinitionError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return DefinitionError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(detail)")
        case .reader(let problem, _, _, _):
            return DefinitionError(file: file, line: 0, column: 0, message: "cannot read YAML: \(problem)")
        default:
            return DefinitionError(file: file, line: 0, column: 0, message: "invalid YAML: \(error)")
        }
    }

    func error(at node: Node?, _ message: String) -> DefinitionError {
        let mark = node?.mark
        return DefinitionError(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message)
    }

    /// The members of a mapping, in order; a key not in `allowed` is an error with a did-you-mean hint.
    func mapping(_ node: Node, allowed: [String], what: String) throws(DefinitionError) -> [Member] {
        guard case .mapping(let mapping) = node else {
            throw error(at: node, "\(what) must be a mapping, got \(kind(of: node))")
        }
        var members: [Member] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else { throw error(at: keyNode, "keys must be plain names") }
            let key = scalar.string
            if allowed.isEmpty, key.isEmpty { throw error(at: keyNode, "a key in \(what) is empty; give it a name") }
            if !allowed.isEmpty, !allowed.contains(key) {
                throw error(
                    at: keyNode,
                    "unknown key '\(key)' in \(what)\(Suggestions.hint(for: key, in: allowed)); allowed: "
                        + allowed.joined(separator: ", "))
            }
            members.append(Member(key: key, keyNode: keyNode, value: value))
        }
        return members
    }

    /// The members of a mapping, in order, like ``mapping(_:allowed:what:)``, but an unknown key (with its
    /// did-you-mean hint) or a non-scalar key goes to `problems` and is skipped, so the other keys are still read.
    ///
    /// - Throws: ``DefinitionError`` only when the node is not a mapping.
    func mapping(
        _ node: Node, allowed: [String], what: String, problems: inout [DefinitionError]
    ) throws(DefinitionError) -> [Member] {
        guard case .mapping(let mapping) = node else {
            throw error(at: node, "\(what) must be a mapping, got \(kind(of: node))")
        }
        var members: [Member] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                problems.append(error(at: keyNode, "keys must be plain names"))
                continue
            }
            let key = scalar.string
            if allowed.isEmpty, key.isEmpty {
                problems.append(error(at: keyNode, "a key in \(what) is empty; give it a name"))
                continue
            }
            if !allowed.isEmpty, !allowed.contains(key) {
                problems.append(
                    error(
                        at: keyNode,
                        "unknown key '\(key)' in \(what)\(Suggestions.hint(for: key, in: allowed)); allowed: "
                            + allowed.joined(separator: ", ")))
                continue
            }
            members.append(Member(key: key, keyNode: keyNode, value: value))
        }
        return members
    }

    /// Whether the mapping holds an unknown key whose did-you-mean hint is `key` (`comand` for `command`): then
    /// "missing required key" would only repeat the unknown-key problem.
    func misspells(_ key: String, in node: Node, allowed: [String]) -> Bool {
        guard case .mapping(let mapping) = node else { return false }
        return mapping.keys.contains { keyNode in
            guard let written = keyNode.string, !allowed.contains(written) else { return false }
            return Suggestions.closest(to: written, in: allowed) == key
        }
    }

    /// Runs `body`, adding what it throws to `problems`; `true` when it succeeded.
    @discardableResult
    func collect(_ problems: inout [DefinitionError], _ body: () throws(DefinitionError) -> Void) -> Bool {
        do {
            try body()
            return true
        } catch {
            problems.append(error)
            return false
        }
    }

    /// Problems sorted into file order (line, then column), keeping the order of those at the same place.
    static func inFileOrder(_ problems: [DefinitionError]) -> [DefinitionError] {
        problems.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }
        .map(\.element)
    }

    /// A string value, interpolated.
    func string(_ node: Node, field: String) throws(DefinitionError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(at: node, "'\(field)' must be a string, got \(kind(of: node))")
        }
        return try interpolate(scalar.string, at: node)
    }

    func interpolate(_ text: String, at node: Node) throws(DefinitionError) -> String {
        do {
            return try Interpolation.apply(text, environment: environment)
        } catch {
            switch error {
            case .missing(let name):
                throw self.error(
                    at: node, "environment variable '\(name)' is not set (write ${\(name):-default} for a default)")
            case .badName(let name):
                throw self.error(at: node, "'${\(name)}' is not a valid variable name")
            case .unterminated:
                throw self.error(at: node, "unterminated '${' (write '$${' for a literal)")
            }
        }
    }

    /// An integer, inside `range` when one is given; one outside, or too long for `Int`, is an error naming the range.
    func int(_ node: Node, field: String, in range: ClosedRange<Int>? = nil) throws(DefinitionError) -> Int {
        let text = try scalarText(node, field: field, expected: "an integer")
        guard let value = Int(text), range?.contains(value) ?? true else {
            let wanted = range.map { "an integer from \($0.lowerBound) to \($0.upperBound)" } ?? "an integer"
            throw error(at: node, "'\(field)' must be \(wanted), got \(shown(text, of: node))")
        }
        return value
    }

    /// A finite number, inside `range` when one is given.
    func double(_ node: Node, field: String, in range: ClosedRange<Double>? = nil) throws(DefinitionError) -> Double {
        let text = try scalarText(node, field: field, expected: "a number")
        let wanted = range.map { "a number from \(Self.text($0.lowerBound)) to \(Self.text($0.upperBound))" }
        guard let value = Double(text), value.isFinite, range?.contains(value) ?? true else {
            throw error(at: node, "'\(field)' must be \(wanted ?? "a finite number"), got \(shown(text, of: node))")
        }
        return value
    }

    private static func text(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    func bool(_ node: Node, field: String) throws(DefinitionError) -> Bool {
        let text = try scalarText(node, field: field, expected: "true or false")
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(at: node, "'\(field)' must be true or false, got \(shown(text, of: node))")
        }
    }

    /// A duration inside `range`: a number of seconds, or a number with `ms`, `s`, `m` or `h`. A value outside the
    /// range, or one no `Duration` holds (`1e400`, `nan`), is an error naming the range.
    func duration(_ node: Node, field: String, in range: ClosedRange<Duration>) throws(DefinitionError) -> Duration {
        let text = try scalarText(node, field: field, expected: "a duration")
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number.trimmingSpaces),
            let duration = Duration.checked(seconds: value * scale, in: range)
        else {
            throw error(
                at: node,
                "'\(field)' must be a duration from \(ConfigLimits.text(range)) such as 30s, 500ms or 2m, got "
                    + shown(text, of: node))
        }
        return duration
    }

    /// A list of strings; a single string is a list of one.
    func stringList(_ node: Node, field: String) throws(DefinitionError) -> [String] {
        if case .scalar = node { return [try string(node, field: field)] }
        guard case .sequence(let sequence) = node else {
            throw error(at: node, "'\(field)' must be a string or a list of strings, got \(kind(of: node))")
        }
        var values: [String] = []
        for element in sequence { values.append(try string(element, field: field)) }
        return values
    }

    /// Any value as JSON; plain scalars resolve to null, Booleans and numbers as YAML 1.2 core does.
    func json(_ node: Node) throws(DefinitionError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let text = try interpolate(scalar.string, at: node)
            guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
            switch text {
            case "null", "Null", "NULL", "~", "": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let integer = Int(text) { return .integer(integer) }
            if let number = Double(text), text.first?.isNumber == true || text.first == "-" || text.first == "." {
                return .number(number)
            }
            return .string(text)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try json(element)) }
            return .array(elements)
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? "\(key)"] = try json(value) }
            return .object(object)
        case .alias:
            throw error(at: node, "YAML aliases are not supported here")
        }
    }

    /// A value for an error message: `'30x'`, or, when an environment variable went into it, the text as written
    /// with the value hidden (a misplaced `${API_KEY}` must not print the key).
    func shown(_ value: String, of node: Node) -> String {
        guard isInterpolated(node), case .scalar(let scalar) = node else { return "'\(value)'" }
        return "'\(scalar.string)' (its value is hidden)"
    }

    /// Whether the node is a scalar whose value comes, at least in part, from an environment variable (`${VAR}`).
    func isInterpolated(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return Interpolation.readsEnvironment(scalar.string, environment: environment)
    }

    private func scalarText(_ node: Node, field: String, expected: String) throws(DefinitionError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(at: node, "'\(field)' must be \(expected), got \(kind(of: node))")
        }
        return try interpolate(scalar.string, at: node)
    }

    func kind(of node: Node) -> String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// One key–value pair of a mapping.
    struct Member {
        let key: String
        let keyNode: Node
        let value: Node
    }
}
