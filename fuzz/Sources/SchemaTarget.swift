import TrellisCore

/// The JSON parser and the JSON Schema validator.
///
/// The input is a schema and a value separated by a NUL byte (without one, the input is both). Invariants:
/// parsing and validating never trap; a parsed value re-serialised parses to itself; validation is
/// deterministic; `true` and `{}` accept anything; `{"const": v}` and `{"enum": [v]}` accept `v`.
enum SchemaTarget {
    static let target = FuzzTarget(
        name: "schema",
        summary: "JSON parser round trip and JSONSchemaValidator on schema NUL value: no trap, const/enum accept v"
    ) { bytes throws(InvariantFailure) in
        let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let schemaBytes = parts[0]
        let valueBytes = parts.count > 1 ? parts[1] : parts[0]
        let schema = try roundTrip(schemaBytes)
        let value = try roundTrip(valueBytes)
        guard let value else { return }
        for accepting in [JSONValue.bool(true), .object(JSONObject())] {
            let problems = JSONSchemaValidator(schema: accepting).violations(of: value)
            try require(problems.isEmpty, "schema \(accepting.serialized()) rejects a value: \(problems)")
        }
        for own in [JSONValue.object(["const": value]), .object(["enum": .array([value])])] {
            let problems = JSONSchemaValidator(schema: own).violations(of: value)
            try require(problems.isEmpty, "schema \(own.serialized()) rejects its own value: \(problems)")
        }
        guard let schema else { return }
        let validator = JSONSchemaValidator(schema: schema)
        let problems = validator.violations(of: value)
        try require(validator.violations(of: value) == problems, "validating twice gave different problems")
        for problem in problems {
            try require(problem.hasPrefix("$"), "a violation without its path: \(problem)")
        }
    }

    /// The parsed value, checked to parse back to itself from its serialisation; `nil` for text that is not JSON.
    static func roundTrip(_ bytes: ArraySlice<UInt8>) throws(InvariantFailure) -> JSONValue? {
        guard let value = try? JSONValue.parse(bytes: bytes) else { return nil }
        let text = value.serialized()
        let again: JSONValue
        do {
            again = try JSONValue.parse(text)
        } catch {
            throw InvariantFailure("\(value) serialises to \(text.debugDescription), which does not parse: \(error)")
        }
        try require(
            SchemaTarget.sameJSON(again, value),
            "\(text.debugDescription) parses to \(again.typeName) \(again), not \(value.typeName) \(value)"
                + (value.doubleValue.map { " (\($0))" } ?? ""))
        return value
    }

    /// Equality where an integer and a number of the same value are the same (the serialisation may turn `1.0`
    /// into `1`).
    static func sameJSON(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { sameJSON($0, $1) }
        case (.object(let left), .object(let right)):
            return left.keys == right.keys && left.keys.allSatisfy { sameJSON(left[$0]!, right[$0]!) }
        default:
            if let left = lhs.doubleValue, let right = rhs.doubleValue, lhs.stringValue == nil, rhs.stringValue == nil {
                return left == right
            }
            return lhs == rhs
        }
    }
}
