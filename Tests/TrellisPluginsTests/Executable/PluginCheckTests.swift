import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// `trellis plugin check`: what conforms and what does not, step by step.
@Suite(.serialized) struct PluginCheckTests {
    private func check(_ name: String) async -> PluginCheckReport {
        await PluginCheck.run(
            folder: PluginFixtures.root + "/" + name, environment: PluginFixtures.environment(),
            workspace: NSTemporaryDirectory(), killGrace: PluginFixtures.grace)
    }

    private func rows(_ report: PluginCheckReport) -> [String] {
        report.steps.map { "\($0.name) | \($0.verdict.rawValue)" }
    }

    @Test("a plugin that refuses bad input politely conforms; one that misbehaves is named per step")
    func echoPlugin() async throws {
        let report = await check("echo")
        #expect(
            rows(report) == [
                "manifest | ok", "echo: empty call | ok", "echo: sample call | ok", "request: empty call | ok",
                "request: sample call | ok", "environment: empty call | ok", "environment: sample call | ok",
                "cwd: empty call | ok", "cwd: sample call | ok", "refuse: empty call | ok",
                "refuse: sample call | ok", "raw: empty call | FAIL", "raw: sample call | FAIL",
            ])
        #expect(!report.conforms)
        #expect(report.steps[1].detail == "error result: echo needs 'text'")
        #expect(report.steps[2].detail == #"arguments {"text":"sample"} → result: sample"#)
        #expect(report.steps[11].detail == "exited without writing a reply to stdout")
        #expect(
            report.steps[12].detail
                == #"arguments {"stdout":"sample","stderr":"sample","exit":1} → exited with status 1"#
                + "\nstderr:\nsample")
    }

    @Test("--describe is run and compared with the listed tools")
    func describePlugin() async throws {
        let report = await check("describe")
        #expect(
            rows(report) == [
                "manifest | ok", "--describe | ok", "whisper: empty call | ok", "whisper: sample call | ok",
                "shout: empty call | ok", "shout: sample call | ok",
            ])
        #expect(report.steps[1].detail == "2 tools: whisper, shout; plugin.yaml overrides: shout")
        #expect(report.conforms)
    }

    @Test("schema patterns that cannot be checked are named: an invalid one fails, an unsupported one is skipped")
    func schemaPatterns() async throws {
        let report = await check("patterns")
        #expect(
            rows(report) == [
                "manifest | ok", "lookup: empty call | ok", "lookup: schema patterns | skipped",
                "lookup: sample call | ok", "broken: empty call | ok", "broken: schema patterns | FAIL",
                "broken: sample call | ok",
            ])
        #expect(
            report.steps[2].detail
                == #"not checked before calls: $.properties.code.pattern: pattern '^(\w)\1$' at character 6: "#
                + #"backreferences (\1) need backtracking"#)
        #expect(
            report.steps[5].detail
                == "not checked before calls: $.properties.tag.pattern: pattern '[a-z' at character 1: "
                + "a '[' is not closed with ']'")
        #expect(!report.conforms)
    }

    @Test("a crashing plugin fails both calls with its stderr")
    func crashPlugin() async throws {
        let report = await check("crash")
        #expect(rows(report) == ["manifest | ok", "run: empty call | FAIL", "run: sample call | FAIL"])
        #expect(
            report.steps[1].detail
                == "exited with status 3\nstderr:\ncrash: opening units.db\ncrash: cannot open units.db: no such file")
    }

    @Test("a broken manifest is reported with its places and nothing else is tried")
    func brokenManifest() async throws {
        let folder = NSTemporaryDirectory() + "trellis-check-\(UUID().uuidString)/broken"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "protocol: 1\ncomand: ./x.sh\n".write(toFile: folder + "/plugin.yaml", atomically: true, encoding: .utf8)
        let report = await PluginCheck.run(folder: folder, environment: [:], workspace: nil)
        #expect(report.manifestIsBroken)
        #expect(!report.conforms)
        #expect(
            report.steps.map(\.detail) == [
                "\(folder)/plugin.yaml:1:1: a plugin needs 'tools:' (a list) or 'describe: true'\n"
                    + "\(folder)/plugin.yaml:2:1: unknown key 'comand' in plugin.yaml (did you mean 'command'?); allowed: "
                    + "protocol, name, description, command, args, timeout, env, working_dir, max_output_bytes, "
                    + "describe, tools"
            ])
    }
}

/// Arguments built from a schema for the check's sample call.
struct SampleArgumentsTests {
    @Test(
        "const, enum, default and examples come first",
        arguments: [
            (["const": "x", "type": "string"], "x"),
            (["enum": ["km", "mi"], "type": "string"], "km"),
            (["type": "integer", "default": 7], 7),
            (["type": "string", "examples": ["Paris"]], "Paris"),
        ] as [(JSONValue, JSONValue)])
    func preferredValues(schema: JSONValue, expected: JSONValue) {
        #expect(SampleArguments.sample(for: schema) == expected)
    }

    @Test("types and their bounds are honoured, and the result passes the validator")
    func boundsAndTypes() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "count": ["type": "integer", "minimum": 3, "multipleOf": 2],
                "ratio": ["type": "number", "exclusiveMaximum": 0.5, "exclusiveMinimum": 0],
                "name": ["type": "string", "minLength": 8],
                "code": ["type": "string", "maxLength": 2],
                "when": ["type": "string", "format": "date"],
                "tags": ["type": "array", "items": ["type": "boolean"], "minItems": 2],
                "nested": ["type": "object", "properties": ["deep": ["type": ["null", "integer"], "maximum": -5]]],
                "either": ["anyOf": [["type": "string"], ["type": "integer"]]],
                "optional": ["type": "string"],
            ],
            "required": ["count", "ratio", "name", "code", "when", "tags", "nested", "either"],
        ]
        let sample = SampleArguments.sample(for: schema)
        #expect(
            sample == [
                "count": 4, "ratio": 0.25, "name": "samplexx", "code": "sa", "when": "2025-01-01",
                "tags": [true, true], "nested": ["deep": -5], "either": "sample",
            ])
        #expect(JSONSchemaValidator(schema: schema).violations(of: sample) == [])
    }

    @Test("with nothing required every property is filled in")
    func nothingRequired() {
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "boolean"], "b": ["type": "null"]]]
        #expect(SampleArguments.sample(for: schema) == ["a": true, "b": nil])
    }
}
