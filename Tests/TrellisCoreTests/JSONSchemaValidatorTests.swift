import Testing
import TrellisCore

/// `JSONSchemaValidator` reports every violation as `path: problem`.
struct JSONSchemaValidatorTests {
    private func violations(_ value: JSONValue, _ schema: JSONValue) -> [String] {
        JSONSchemaValidator(schema: schema).violations(of: value)
    }

    @Test("type names, lists of types, and integer vs number")
    func types() {
        #expect(violations("x", ["type": "string"]) == [])
        #expect(violations(1, ["type": "string"]) == ["$: expected string, got integer"])
        #expect(violations(1.5, ["type": "integer"]) == ["$: expected integer, got number"])
        #expect(violations(2.0, ["type": "integer"]) == [])
        #expect(violations(2, ["type": "number"]) == [])
        #expect(violations(nil, ["type": ["string", "null"]]) == [])
        #expect(violations(true, ["type": ["string", "null"]]) == ["$: expected string or null, got boolean"])
        #expect(violations([:], ["type": "array"]) == ["$: expected array, got object"])
    }

    @Test("required properties and nested paths")
    func requiredAndPaths() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "address": ["type": "object", "properties": ["zip": ["type": "string"]], "required": ["zip"]]
            ],
            "required": ["name", "address"],
        ]
        #expect(
            violations(["address": [:]], schema) == [
                "$: missing required property 'name'", "$.address: missing required property 'zip'",
            ])
        #expect(
            violations(["name": 1, "address": ["zip": 420]], schema) == ["$.address.zip: expected string, got integer"])
    }

    @Test("additionalProperties false names the unexpected key and the allowed ones")
    func additionalPropertiesFalse() {
        let schema: JSONValue = ["type": "object", "properties": ["a": [:], "b": [:]], "additionalProperties": false]
        #expect(violations(["a": 1, "c": 2], schema) == ["$: unexpected property 'c' (allowed: a, b)"])
        let closed: JSONValue = ["type": "object", "additionalProperties": false]
        #expect(violations(["x": 1], closed) == ["$: unexpected property 'x' (allowed: none)"])
        #expect(violations(["x": 1], ["type": "object"]) == [])
    }

    @Test("additionalProperties as a schema checks the extra members")
    func additionalPropertiesSchema() {
        let schema: JSONValue = ["type": "object", "additionalProperties": ["type": "integer"]]
        #expect(violations(["a": 1, "b": "two"], schema) == ["$.b: expected integer, got string"])
    }

    @Test("enum and const compare JSON values, 1 and 1.0 alike")
    func enumAndConst() {
        #expect(violations("k", ["enum": ["c", "f"]]) == [#"$: "k" is not one of "c", "f""#])
        #expect(violations(1.0, ["enum": [1, 2]]) == [])
        #expect(violations("1", ["enum": [1, 2]]) == [#"$: "1" is not one of 1, 2"#])
        #expect(violations(["a": 1], ["const": ["a": 1]]) == [])
        #expect(violations(2, ["const": 3]) == ["$: must be 3"])
    }

    @Test("numeric bounds")
    func numericBounds() {
        let schema: JSONValue = ["type": "number", "minimum": 1, "maximum": 7.5]
        #expect(violations(1, schema) == [])
        #expect(violations(7.5, schema) == [])
        #expect(violations(0, schema) == ["$: must be ≥ 1, got 0"])
        #expect(violations(8, schema) == ["$: must be ≤ 7.5, got 8"])
        #expect(violations(0, ["exclusiveMinimum": 0]) == ["$: must be > 0, got 0"])
        #expect(violations(5, ["exclusiveMaximum": 5]) == ["$: must be < 5, got 5"])
        #expect(violations(0.3, ["multipleOf": 0.1]) == [])
        #expect(violations(7, ["multipleOf": 2]) == ["$: must be a multiple of 2"])
    }

    @Test("string length counts characters, not bytes; pattern must match")
    func strings() {
        let schema: JSONValue = ["type": "string", "minLength": 2, "maxLength": 3]
        #expect(violations("ab", schema) == [])
        #expect(violations("日本語", schema) == [])
        #expect(violations("a", schema) == ["$: must be at least 2 characters long, got 1"])
        #expect(violations("abcd", schema) == ["$: must be at most 3 characters long, got 4"])
        #expect(violations("ftp://x", ["pattern": "^https?://"]) == ["$: does not match pattern ^https?://"])
        #expect(violations("see https://x", ["pattern": "https?://"]) == [])
    }

    @Test("array items and sizes")
    func arrays() {
        let schema: JSONValue = ["type": "array", "items": ["type": "integer"], "minItems": 1, "maxItems": 2]
        #expect(violations([1, 2], schema) == [])
        #expect(violations([], schema) == ["$: needs at least 1 items, got 0"])
        #expect(violations([1, 2, 3], schema) == ["$: allows at most 2 items, got 3"])
        #expect(
            violations([1, "x", true], schema) == [
                "$: allows at most 2 items, got 3", "$[1]: expected integer, got string",
                "$[2]: expected integer, got boolean",
            ])
    }

    @Test("anyOf, oneOf and allOf")
    func combinators() {
        let anyOf: JSONValue = ["anyOf": [["type": "string"], ["type": "integer"]]]
        #expect(violations(1, anyOf) == [])
        #expect(violations(true, anyOf) == ["$: matches none of the allowed alternatives (anyOf)"])
        let oneOf: JSONValue = ["oneOf": [["type": "number"], ["type": "integer"]]]
        #expect(violations(1.5, oneOf) == [])
        #expect(violations(1, oneOf) == ["$: must match exactly one alternative (oneOf), matched 2"])
        let allOf: JSONValue = ["allOf": [["minimum": 1], ["maximum": 2]]]
        #expect(violations(3, allOf) == ["$: must be ≤ 2, got 3"])
    }

    @Test("boolean schemas and unknown keywords")
    func booleanSchemasAndUnknownKeywords() {
        #expect(violations(1, true) == [])
        #expect(violations(1, false) == ["$: no value is allowed here"])
        #expect(
            violations(["a": 1], ["type": "object", "properties": ["a": false]]) == ["$.a: no value is allowed here"])
        #expect(violations("x", ["type": "string", "format": "email", "description": "ignored", "$schema": "x"]) == [])
    }
}
