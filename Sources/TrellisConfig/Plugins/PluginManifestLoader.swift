import Foundation
import TrellisCore
import Yams

extension PluginManifest {
    /// Reads and checks `folder/plugin.yaml`.
    ///
    /// Every problem is reported as `path:line:column: message`; problems in separate keys and tools are all
    /// reported at once.
    ///
    /// - Parameters:
    ///   - folder: The plugin's folder, absolute or relative to the current directory.
    ///   - environment: Variables for `${VAR}` interpolation in string values.
    ///   - checkCommand: Whether a command written as a path must exist and be executable now. A workspace loads
    ///     its plugins without this check, so a plugin whose program is not built yet does not stop agents that
    ///     do not use it (its calls say "cannot start"); `trellis validate` and `trellis plugin check` make it.
    /// - Returns: The manifest, with ``command`` resolved and every default filled in.
    /// - Throws: ``DefinitionErrors`` listing what is wrong.
    public static func load(
        folder: String, environment: [String: String], checkCommand: Bool = true
    ) throws(DefinitionErrors) -> PluginManifest {
        let folder = absolute(folder)
        let file = folder + "/plugin.yaml"
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
            let cause =
                !exists || !isFolder.boolValue
                ? "no such plugin folder" : "cannot read it (a plugin folder needs a plugin.yaml)"
            throw DefinitionErrors([DefinitionError(file: file, line: 0, column: 0, message: cause)])
        }
        let loader = PluginManifestLoader(
            reader: YAMLReader(file: file, environment: environment), folder: folder, checkCommand: checkCommand)
        return try loader.load(text)
    }

    /// The folder as an absolute path without `.`, `..` or a trailing slash.
    static func absolute(_ path: String) -> String {
        let base = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: base).standardizedFileURL.path
    }
}

/// Reads one `plugin.yaml`, collecting every problem it finds.
struct PluginManifestLoader {
    let reader: YAMLReader
    let folder: String
    let checkCommand: Bool

    func load(_ text: String) throws(DefinitionErrors) -> PluginManifest {
        let folderName = String(folder.split(separator: "/").last ?? "")
        var manifest = PluginManifest(name: folderName, folder: folder, command: "")
        var problems: [DefinitionError] = []
        do throws(DefinitionError) {
            guard let root = try reader.compose(text) else {
                throw reader.error(at: nil, "the file is empty; it needs at least 'protocol: 1' and 'command'")
            }
            let members = try reader.mapping(
                root, allowed: ConfigSchema.keys(PluginManifest.schema), what: "plugin.yaml", problems: &problems)
            problems += missingKeys(members, root)
            for member in members {
                do throws(DefinitionError) {
                    try read(member, into: &manifest, problems: &problems)
                } catch {
                    problems.append(error)
                }
            }
            if !manifest.describe, manifest.tools.isEmpty, !members.contains(where: { $0.key == "tools" }),
                !reader.misspells("tools", in: root, allowed: ConfigSchema.keys(PluginManifest.schema))
            {
                problems.append(
                    reader.error(at: root, "a plugin needs 'tools:' (a list) or 'describe: true'"))
            }
        } catch {
            problems.append(error)
        }
        guard problems.isEmpty else {
            throw DefinitionErrors(YAMLReader.inFileOrder(problems))
        }
        return manifest
    }

    private func missingKeys(_ members: [YAMLReader.Member], _ root: Node) -> [DefinitionError] {
        let allowed = ConfigSchema.keys(PluginManifest.schema)
        let missing = ["protocol", "command"].filter { key in
            !members.contains(where: { $0.key == key }) && !reader.misspells(key, in: root, allowed: allowed)
        }
        return missing.map { key in
            let example = key == "protocol" ? "protocol: 1" : "command: ./run.sh"
            return reader.error(at: root, "missing required key '\(key)' (for example: \(example))")
        }
    }

    // MARK: - Keys

    private func read(
        _ member: YAMLReader.Member, into manifest: inout PluginManifest, problems: inout [DefinitionError]
    ) throws(DefinitionError) {
        let value = member.value
        switch member.key {
        case "protocol":
            let version = try reader.int(value, field: "protocol")
            guard version == PluginManifest.protocolVersion else {
                throw reader.error(
                    at: value,
                    "unsupported protocol \(version); this Trellis speaks protocol \(PluginManifest.protocolVersion)")
            }
        case "name":
            let name = try reader.string(value, field: "name")
            guard name == manifest.name else {
                throw reader.error(
                    at: value,
                    "'name' must equal the folder name '\(manifest.name)', got \(reader.shown(name, of: value)) (or leave it out)"
                )
            }
        case "description": manifest.description = try reader.string(value, field: "description")
        case "command": manifest.command = try command(value)
        case "args": manifest.arguments = try strings(value, field: "args")
        case "timeout": manifest.timeout = try reader.duration(value, field: "timeout", in: ConfigLimits.timeout)
        case "env":
            manifest.environmentAllowList = try strings(value, field: "env")
            if let bad = manifest.environmentAllowList.first(where: { !Self.isVariableName($0) }) {
                throw reader.error(at: value, "'env' lists variable names; '\(bad)' is not one")
            }
        case "working_dir": manifest.workingDirectory = try workingDirectory(value)
        case "max_output_bytes":
            manifest.maxOutputBytes = try reader.int(value, field: "max_output_bytes", in: ConfigLimits.byteCap)
        case "describe": manifest.describe = try reader.bool(value, field: "describe")
        case "tools": try readTools(value, into: &manifest, problems: &problems)
        default: break
        }
    }

    private func command(_ node: Node) throws(DefinitionError) -> String {
        let written = try reader.string(node, field: "command")
        guard !written.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw reader.error(at: node, "'command' is empty")
        }
        guard written.contains("/") else { return written }
        let path = PluginManifest.absolute(written.hasPrefix("/") ? written : folder + "/" + written)
        guard checkCommand else { return path }
        var isFolder: ObjCBool = false
        // A path built from `${VAR}` is not printed: the variable may hold a secret.
        let hidden = reader.isInterpolated(node)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw reader.error(
                at: node,
                "command \(reader.shown(written, of: node)) does not exist\(hidden ? "" : " (looked for \(path))")")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw reader.error(
                at: node,
                "command \(reader.shown(written, of: node)) is not executable (chmod +x \(hidden ? "it" : path))")
        }
        return path
    }

    private func strings(_ node: Node, field: String) throws(DefinitionError) -> [String] {
        guard case .sequence(let sequence) = node else {
            throw reader.error(at: node, "'\(field)' must be a list of strings, got \(reader.kind(of: node))")
        }
        var values: [String] = []
        for element in sequence { values.append(try reader.string(element, field: field)) }
        return values
    }

    private func workingDirectory(_ node: Node) throws(DefinitionError) -> PluginManifest.WorkingDirectory {
        let written = try reader.string(node, field: "working_dir")
        switch written {
        case "workspace": return .workspace
        case "plugin": return .plugin
        case "": throw reader.error(at: node, "'working_dir' is empty (workspace, plugin, or a path)")
        default:
            let path = PluginManifest.absolute(written.hasPrefix("/") ? written : folder + "/" + written)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw reader.error(
                    at: node, "'working_dir' must be workspace, plugin or an existing folder; no folder at \(path)")
            }
            return .path(path)
        }
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    // MARK: - Tools

    private func readTools(
        _ node: Node, into manifest: inout PluginManifest, problems: inout [DefinitionError]
    ) throws(DefinitionError) {
        guard case .sequence(let sequence) = node else {
            throw reader.error(at: node, "'tools' must be a list of tools, got \(reader.kind(of: node))")
        }
        for element in sequence {
            do throws(DefinitionError) {
                let tool = try readTool(element, problems: &problems)
                guard manifest.toolPlaces[tool.name] == nil else {
                    throw reader.error(
                        at: element,
                        "duplicate tool name '\(tool.name)' (first at \(manifest.toolPlaces[tool.name] ?? "?"))")
                }
                manifest.tools.append(tool)
                manifest.toolPlaces[tool.name] = place(of: element)
            } catch {
                problems.append(error)
            }
        }
        if sequence.isEmpty, !manifest.describe {
            throw reader.error(at: node, "'tools' is empty; list at least one tool or set 'describe: true'")
        }
    }

    private func readTool(_ node: Node, problems: inout [DefinitionError]) throws(DefinitionError) -> ToolDefinition {
        let members = try reader.mapping(
            node, allowed: ConfigSchema.keys(PluginManifest.tool), what: "a tool", problems: &problems)
        guard let nameNode = members.first(where: { $0.key == "name" })?.value else {
            throw reader.error(at: node, "a tool needs a 'name'")
        }
        let name = try reader.string(nameNode, field: "tools.name")
        guard PluginManifest.isValidToolName(name) else {
            throw reader.error(
                at: nameNode, "tool name '\(name)' must be 1 to 64 letters, digits, '_' or '-'")
        }
        var tool = ToolDefinition(name: name, description: "")
        for member in members {
            reader.collect(&problems) { () throws(DefinitionError) in
                switch member.key {
                case "description": tool.description = try reader.string(member.value, field: "tools.description")
                case "parameters":
                    tool.parameters = try reader.json(member.value)
                    if let problem = PluginManifest.parametersProblem(tool.parameters) {
                        throw reader.error(at: member.value, "tool '\(name)': 'parameters' \(problem)")
                    }
                case "idempotent": tool.idempotent = try reader.bool(member.value, field: "tools.idempotent")
                default: break
                }
            }
        }
        return tool
    }

    private func place(of node: Node) -> String {
        let error = reader.error(at: node, "")
        return "\(error.file):\(error.line):\(error.column)"
    }
}

extension PluginManifest {
    /// What is wrong with a tool's parameter schema, or `nil` when it is an object schema.
    ///
    /// Also used for tools a plugin reports through `--describe`.
    public static func parametersProblem(_ schema: JSONValue) -> String? {
        guard case .object(let rules) = schema else {
            return "must be a JSON Schema object ({type: object, properties: {...}}), got \(schema.typeName)"
        }
        guard rules["type"]?.stringValue == "object" else {
            return "must be a JSON Schema with 'type: object', got type \(rules["type"]?.serialized() ?? "(none)")"
        }
        if let properties = rules["properties"], properties.objectValue == nil {
            return "has 'properties' that is not a mapping"
        }
        if let required = rules["required"],
            required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true
        {
            return "has 'required' that is not a list of names"
        }
        return nil
    }
}
