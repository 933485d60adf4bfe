import Foundation
import Testing
import TrellisConfig
import TrellisCore

/// plugins/jsonq (a plain-Swift executable target): jq filters over a JSON document, and reformatting.
struct JSONQPluginTests {
    static let document = """
        {"items": [{"name": "lamp", "price": 25, "tags": ["home"]}, {"name": "desk", "price": 120.5, "tags": []},
                   {"name": "pen", "price": 2, "tags": ["office", "cheap"]}],
         "a b": {"c": 1}, "id": 12345678901234567890, "note": null}
        """

    private func query(_ filter: String, json: String = document) async throws -> ToolOutput {
        try await ExamplePlugins.call("jsonq", "query", ["json": .string(json), "filter": .string(filter)])
    }

    private func format(_ arguments: JSONValue) async throws -> ToolOutput {
        try await ExamplePlugins.call("jsonq", "format", arguments)
    }

    @Test(
        "paths, iteration, slices, pipes and builtins give jq's results",
        arguments: [
            (".items[0].name", #""lamp""#),
            (#".["a b"].c"#, "1"),
            (#"."a b""#, #"{"c": 1}"#),
            (".items[-1].name", #""pen""#),
            (".items[5]", "null"),
            (".note.deeper", "null"),
            (".items[1:3] | map(.name)", #"["desk", "pen"]"#),
            (".items[:1][].name", #""lamp""#),
            (".items | length", "3"),
            (".items | map(.price)", "[25, 120.5, 2]"),
            (".items | sort_by(.price) | map(.name)", #"["pen", "lamp", "desk"]"#),
            (".items | first | .name", #""lamp""#),
            (".items | last | .tags", #"["office", "cheap"]"#),
            ("keys", #"["a b", "id", "items", "note"]"#),
            (".items[] | select(.price > 10 and .price < 100) | .name", #""lamp""#),
            (#".items[] | select(.name == "pen" or .price >= 120) | .name"#, #"["desk", "pen"]"#),
            (".items[] | select(.price != 25 and .price <= 2) | .name", #""pen""#),
            (
                ".items | map({name, cheap: (.price < 10)})",
                #"[{"name": "lamp", "cheap": false}, {"name": "desk", "cheap": false}, {"name": "pen", "cheap": true}]"#
            ),
            (".items | map(.tags | length) | add", "3"),
            (#".items | map(.name) | join(", ")"#, #""lamp, desk, pen""#),
            (".items | group_by(.tags | length) | map(map(.name))", #"[["desk"], ["lamp"], ["pen"]]"#),
            (".id", "12345678901234567890"),
            (".note // \"none\"", #""none""#),
            ("[.items[].price * 2]", "[50, 241, 4]"),
            (#"1, "x", null, true, [1, 2][1]"#, #"[1, "x", null, true, 2]"#),
        ])
    func filters(filter: String, expected: String) async throws {
        let output = try await query(filter)
        #expect(!output.isError, "\(filter): \(output.content)")
        try ExamplePlugins.expectJSON(output, expected)
    }

    @Test("one output is the value itself, several are an array, none an empty array; strings come back as text")
    func outputCount() async throws {
        #expect(try await query(".items[0].name") == ToolOutput("lamp"))
        #expect(try ExamplePlugins.json(try await query(".items[].name")) == ["lamp", "desk", "pen"])
        #expect(try ExamplePlugins.json(try await query(".items[] | select(.price > 1000)")) == [])
    }

    @Test(
        "a filter that cannot be parsed names the column and points at it",
        arguments: [
            (".items[", 8, "expected a filter, found the end of the filter"),
            (".a ==", 6, "expected a filter, found the end of the filter"),
            (".[0", 4, "expected ']' after the index, found the end of the filter"),
            (".a = 1", 4, "assignment '=' is not supported; use '==' to compare"),
            ("1 < 2 < 3", 7, "comparisons do not chain; use 'and'"),
            (".items | map", 10, "map takes 1 argument(s), not 0"),
            ("{a: }", 5, "expected a filter, found '}'"),
            (". as $x", 6, "variables ($name) are not supported"),
            ("", 1, "the filter is empty; use '.' for the input"),
        ])
    func syntaxErrors(filter: String, column: Int, message: String) async throws {
        let caret = String(repeating: " ", count: column - 1) + "^"
        #expect(
            try await query(filter)
                == .error("filter syntax error at column \(column): \(message)\n  \(filter)\n  \(caret)"))
    }

    @Test("an unknown function is a syntax error that lists the known ones")
    func unknownFunction() async throws {
        let output = try await query(".items | frobnicate")
        #expect(output.isError)
        #expect(
            output.content.hasPrefix("filter syntax error at column 10: unknown function 'frobnicate'; known: add, "))
        #expect(output.content.contains("select, sort, sort_by"))
    }

    @Test(
        "a filter that fails on the data says how",
        arguments: [
            (".items[0].name | .x", #"cannot index string ("lamp") with "x""#),
            (".items[0].price[]", "cannot iterate over number (25)"),
            (#".items[0].price + "x""#, #"number (25) and string ("x") cannot be added"#),
            (".items[0].price / 0", "number (25) and number (0) cannot be divided because the divisor is zero"),
            ("true | length", "boolean (true) has no length"),
            (
                ".items[0].name | tonumber",
                #"tonumber cannot parse string ("lamp"): line 1, column 1: unexpected character 'l'"#
            ),
        ])
    func runtimeErrors(filter: String, message: String) async throws {
        #expect(try await query(filter) == .error("filter error: \(message)"))
    }

    @Test("a document that is not JSON is an error naming line and column")
    func badDocument() async throws {
        #expect(
            try await query(".", json: "{\n  \"a\": [1,\n    tru]}")
                == .error("'json' is not valid JSON: line 3, column 5: invalid literal; expected true"))
        #expect(
            try await query(".", json: #"{"a": [1, 2,, 3]}"#)
                == .error("'json' is not valid JSON: line 1, column 13: unexpected character ','"))
        #expect(
            try await query(".", json: " ")
                == .error("'json' is not valid JSON: line 1, column 2: the document is empty"))
    }

    @Test("format pretty-prints with the indent, keeping key order unless sort_keys")
    func formatting() async throws {
        let json = #"{"b": [1, {"x": []}], "a": {}, "s": "é\n"}"#
        let pretty = try await format(["json": .string(json)])
        #expect(
            pretty
                == ToolOutput(
                    "{\n  \"b\": [\n    1,\n    {\n      \"x\": []\n    }\n  ],\n  \"a\": {},\n  \"s\": \"é\\n\"\n}"))
        let four = try await format(["json": "[1]", "indent": 4])
        #expect(four == ToolOutput("[\n    1\n]"))
        let minified = try await format(["json": .string(json), "indent": 0, "sort_keys": true])
        #expect(minified == ToolOutput(#"{"a":{},"b":[1,{"x":[]}],"s":"é\n"}"#))
    }

    @Test("format errors: a broken document, an indent the schema refuses")
    func formatErrors() async throws {
        #expect(
            try await format(["json": "[1"])
                == .error("'json' is not valid JSON: line 1, column 3: expected ',' or ']' in an array"))
        let negative = try await format(["json": "[1]", "indent": -1])
        #expect(negative.isError)
        #expect(negative.content.contains("$.indent"), "\(negative.content)")
    }

    @Test("plugin.yaml runs ../../.build/debug/jsonq from its folder unless TRELLIS_JSONQ says otherwise")
    func commandPath() throws {
        let folder = ExamplePlugins.folder("jsonq")
        // The loader resolves symbolic links, and .build/debug is one.
        let byDefault = try PluginManifest.load(folder: folder, environment: [:])
        let debugBuild = ExamplePlugins.repositoryRoot + "/.build/debug/jsonq"
        #expect(byDefault.command == URL(fileURLWithPath: debugBuild).resolvingSymlinksInPath().path)
        let built = try #require(ExamplePlugins.builtJSONQ)
        let overridden = try PluginManifest.load(folder: folder, environment: ["TRELLIS_JSONQ": built])
        #expect(overridden.command == built)
    }
}
