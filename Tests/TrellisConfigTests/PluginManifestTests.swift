import Foundation
import Testing
import TrellisConfig
import TrellisCore

/// A temporary `plugins/NAME/` folder with a `plugin.yaml` and an executable `run.sh`.
private struct PluginFolder {
    let base: String
    let folder: String

    init(name: String = "units", manifest: String) throws {
        base = NSTemporaryDirectory() + "trellis-plugin-\(UUID().uuidString)"
        folder = base + "/plugins/" + name
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try manifest.write(toFile: folder + "/plugin.yaml", atomically: true, encoding: .utf8)
        try "#!/bin/sh\n".write(toFile: folder + "/run.sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/run.sh")
        try "not a program".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
    }

    func load(environment: [String: String] = [:]) throws -> PluginManifest {
        try PluginManifest.load(folder: folder, environment: environment)
    }

    /// The error lines a load produces, with the plugin folder written `P`.
    func errors(environment: [String: String] = [:]) -> [String] {
        do throws(DefinitionErrors) {
            _ = try PluginManifest.load(folder: folder, environment: environment)
            return []
        } catch {
            return error.errors.map { $0.description.replacingOccurrences(of: folder, with: "P") }
        }
    }
}

private let echoTool = """
    tools:
      - name: echo
        description: Echoes
        parameters: {type: object, properties: {text: {type: string}}, required: [text]}

    """

@Suite struct PluginManifestTests {
    @Test("every field is read, the command resolves against the folder, tools keep their place")
    func readsEveryField() throws {
        let plugin = try PluginFolder(
            manifest: """
                protocol: 1
                name: units
                description: Converts units
                command: ./run.sh
                args: [--fast, "${MODE:-slow}"]
                timeout: 500ms
                env: [UNITS_LOCALE, HTTP_PROXY]
                working_dir: data
                max_output_bytes: 4096
                describe: true
                tools:
                  - name: convert
                    description: Converts a value
                    parameters:
                      type: object
                      properties: {value: {type: number}}
                      required: [value]
                  - name: list-units
                """)
        let manifest = try plugin.load(environment: ["MODE": "exact"])
        #expect(manifest.name == "units")
        #expect(manifest.description == "Converts units")
        #expect(manifest.folder == plugin.folder)
        #expect(manifest.file == plugin.folder + "/plugin.yaml")
        #expect(manifest.command == plugin.folder + "/run.sh")
        #expect(manifest.arguments == ["--fast", "exact"])
        #expect(manifest.timeout == .milliseconds(500))
        #expect(manifest.environmentAllowList == ["UNITS_LOCALE", "HTTP_PROXY"])
        #expect(manifest.workingDirectory == .path(plugin.folder + "/data"))
        #expect(manifest.maxOutputBytes == 4096)
        #expect(manifest.describe)
        #expect(
            manifest.tools == [
                ToolDefinition(
                    name: "convert", description: "Converts a value",
                    parameters: [
                        "type": "object", "properties": ["value": ["type": "number"]], "required": ["value"],
                    ]),
                ToolDefinition(name: "list-units", description: ""),
            ])
        #expect(manifest.place(ofTool: "convert") == plugin.folder + "/plugin.yaml:12:5")
        #expect(manifest.place(ofTool: "list-units") == plugin.folder + "/plugin.yaml:18:5")
        #expect(manifest.place(ofTool: "other") == plugin.folder + "/plugin.yaml")
    }

    @Test("the defaults: name from the folder, 30 s, 1 MiB, the workspace, no env, bare command kept for PATH")
    func defaults() throws {
        let plugin = try PluginFolder(manifest: "protocol: 1\ncommand: python3\n" + echoTool)
        let manifest = try plugin.load()
        #expect(manifest.name == "units")
        #expect(manifest.command == "python3")
        #expect(manifest.arguments == [])
        #expect(manifest.timeout == .seconds(30))
        #expect(manifest.maxOutputBytes == 1_048_576)
        #expect(manifest.workingDirectory == .workspace)
        #expect(manifest.environmentAllowList == [])
        #expect(manifest.describe == false)
        #expect(manifest.tools.map(\.name) == ["echo"])
    }

    @Test("the folder is normalised; working_dir plugin and describe without tools are fine")
    func normalisedFolder() throws {
        let plugin = try PluginFolder(manifest: "protocol: 1\ncommand: ./run.sh\nworking_dir: plugin\ndescribe: true\n")
        let manifest = try PluginManifest.load(folder: plugin.folder + "/../units/", environment: [:])
        #expect(manifest.folder == plugin.folder)
        #expect(manifest.command == plugin.folder + "/run.sh")
        #expect(manifest.workingDirectory == .plugin)
        #expect(manifest.tools.isEmpty)
    }

    @Test("an unknown key is reported at its place with a did-you-mean hint")
    func unknownKey() throws {
        let plugin = try PluginFolder(manifest: "protocol: 1\ncommand: ./run.sh\ntimout: 5s\n" + echoTool)
        #expect(
            plugin.errors() == [
                "P/plugin.yaml:3:1: unknown key 'timout' in plugin.yaml (did you mean 'timeout'?); allowed: "
                    + "protocol, name, description, command, args, timeout, env, working_dir, max_output_bytes, "
                    + "describe, tools"
            ])
    }

    @Test("an unknown key in a tool names the tool keys")
    func unknownToolKey() throws {
        let plugin = try PluginFolder(
            manifest: "protocol: 1\ncommand: ./run.sh\ntools:\n  - name: a\n    parameter: {type: object}\n")
        #expect(
            plugin.errors() == [
                "P/plugin.yaml:5:5: unknown key 'parameter' in a tool (did you mean 'parameters'?); allowed: "
                    + "name, description, parameters, idempotent"
            ])
    }

    @Test("protocol and command are required, and only protocol 1 exists")
    func requiredKeys() throws {
        #expect(
            try PluginFolder(manifest: "command: ./run.sh\n" + echoTool).errors() == [
                "P/plugin.yaml:1:1: missing required key 'protocol' (for example: protocol: 1)"
            ])
        #expect(
            try PluginFolder(manifest: "protocol: 1\n" + echoTool).errors() == [
                "P/plugin.yaml:1:1: missing required key 'command' (for example: command: ./run.sh)"
            ])
        #expect(
            try PluginFolder(manifest: "protocol: 2\ncommand: ./run.sh\n" + echoTool).errors() == [
                "P/plugin.yaml:1:11: unsupported protocol 2; this Trellis speaks protocol 1"
            ])
    }

    @Test("several problems are reported together, in line order")
    func severalProblems() throws {
        let plugin = try PluginFolder(
            manifest: """
                protocol: 1
                name: unit
                command: ./missing.sh
                timeout: soon
                env: [GOOD, 2BAD]
                max_output_bytes: 0
                working_dir: nowhere
                tools:
                  - name: convert
                  - name: convert
                  - name: "bad name"
                  - name: list
                    parameters: {type: string}
                  - name: raw
                    parameters: [1, 2]
                """)
        #expect(
            plugin.errors() == [
                "P/plugin.yaml:2:7: 'name' must equal the folder name 'units', got 'unit' (or leave it out)",
                "P/plugin.yaml:3:10: command './missing.sh' does not exist (looked for P/missing.sh)",
                "P/plugin.yaml:4:10: 'timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got 'soon'",
                "P/plugin.yaml:5:6: 'env' lists variable names; '2BAD' is not one",
                "P/plugin.yaml:6:19: 'max_output_bytes' must be an integer from 1 to 1073741824, got '0'",
                "P/plugin.yaml:7:14: 'working_dir' must be workspace, plugin or an existing folder; no folder at "
                    + "P/nowhere",
                "P/plugin.yaml:10:5: duplicate tool name 'convert' (first at P/plugin.yaml:9:5)",
                "P/plugin.yaml:11:11: tool name 'bad name' must be 1 to 64 letters, digits, '_' or '-'",
                "P/plugin.yaml:13:17: tool 'list': 'parameters' must be a JSON Schema with 'type: object', got "
                    + "type \"string\"",
                "P/plugin.yaml:15:17: tool 'raw': 'parameters' must be a JSON Schema object ({type: object, "
                    + "properties: {...}}), got array",
            ])
    }

    @Test("a command that is not executable says how to fix it")
    func notExecutable() throws {
        let plugin = try PluginFolder(manifest: "protocol: 1\ncommand: ./notes.txt\n" + echoTool)
        #expect(
            plugin.errors() == [
                "P/plugin.yaml:2:10: command './notes.txt' is not executable (chmod +x P/notes.txt)"
            ])
    }

    @Test("no tools and no describe is an error, and so is an empty tools list")
    func needsTools() throws {
        #expect(
            try PluginFolder(manifest: "protocol: 1\ncommand: ./run.sh\n").errors() == [
                "P/plugin.yaml:1:1: a plugin needs 'tools:' (a list) or 'describe: true'"
            ])
        #expect(
            try PluginFolder(manifest: "protocol: 1\ncommand: ./run.sh\ntools: []\n").errors() == [
                "P/plugin.yaml:3:8: 'tools' is empty; list at least one tool or set 'describe: true'"
            ])
    }

    @Test("a missing variable, a YAML syntax error and a missing file name their place")
    func unreadable() throws {
        #expect(
            try PluginFolder(manifest: "protocol: 1\ncommand: ${PLUGIN_BIN}\n" + echoTool).errors() == [
                "P/plugin.yaml:2:10: environment variable 'PLUGIN_BIN' is not set (write ${PLUGIN_BIN:-default} "
                    + "for a default)"
            ])
        let broken = try PluginFolder(manifest: "protocol: 1\ncommand: [./run.sh\n")
        #expect(broken.errors().first?.hasPrefix("P/plugin.yaml:3:1: invalid YAML") == true)
        let missing = try PluginFolder(manifest: "")
        try FileManager.default.removeItem(atPath: missing.folder + "/plugin.yaml")
        #expect(missing.errors() == ["P/plugin.yaml: cannot read it (a plugin folder needs a plugin.yaml)"])
        #expect(
            throws: DefinitionErrors.self,
            performing: { try PluginManifest.load(folder: missing.base + "/plugins/none", environment: [:]) })
    }

    @Test("the schema lists exactly the keys the loader takes")
    func schemaKeys() throws {
        let keys = PluginManifest.schema["properties"]?.objectValue?.keys ?? []
        #expect(
            keys == [
                "protocol", "name", "description", "command", "args", "timeout", "env", "working_dir",
                "max_output_bytes", "describe", "tools",
            ])
        #expect(PluginManifest.schema["required"] == ["protocol", "command"])
    }
}

/// `plugin.yaml` gets the same bounds as the other files: its timeout and byte cap have ranges, its size and alias
/// expansion are limited.
@Suite struct PluginManifestLimitTests {
    @Test("a timeout past 24 h or a byte cap past 1 GiB is an error at its place, not a crash")
    func ranges() throws {
        let plugin = try PluginFolder(
            manifest: "protocol: 1\ncommand: ./run.sh\ntimeout: 2562048h\nmax_output_bytes: 99999999999999\n"
                + echoTool)
        #expect(
            plugin.errors() == [
                "P/plugin.yaml:3:10: 'timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got '2562048h'",
                "P/plugin.yaml:4:19: 'max_output_bytes' must be an integer from 1 to 1073741824, got '99999999999999'",
            ])
    }

    @Test("an alias bomb in plugin.yaml fails with the limit, at the alias")
    func aliasBomb() throws {
        let plugin = try PluginFolder(manifest: "protocol: 1\ncommand: ./run.sh\n" + AliasBomb.text + echoTool)
        let errors = plugin.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("P/plugin.yaml:") == true)
        #expect(errors.first?.contains("expand to more than 100000 values") == true)
    }
}
