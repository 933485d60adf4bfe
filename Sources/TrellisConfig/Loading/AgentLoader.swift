import Foundation
import TrellisCore
import Yams

/// Turns the text of one agent file into an ``AgentFile``.
struct AgentLoader {
    let reader: YAMLReader
    let defaultModel: String?

    func load(_ text: String, path: String) throws(DefinitionError) -> AgentFile {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard let root = try reader.compose(text) else {
            throw reader.error(at: nil, "the file is empty; an agent needs at least 'model'")
        }
        let members = try reader.mapping(root, allowed: ConfigSchema.keys(ConfigSchema.agent), what: "the agent")
        var name = stem
        var namePlace = reader.error(at: nil, "")
        var description: String?
        var model: ModelReference?
        var modelPlace = reader.error(at: root, "")
        var system: String?
        var tools: [ToolReference] = []
        var toolPlaces: [DefinitionError] = []
        var toolChoice: ToolChoice?
        var parallel = true
        var limits = RunLimits()
        var params: [AgentParameter] = []
        var approval = ToolApprovalPolicy()
        var approvalPlaces: [String: DefinitionError] = [:]

        for member in members {
            let value = member.value
            switch member.key {
            case "name":
                name = try reader.string(value, field: "name")
                namePlace = reader.error(at: value, "")
                guard Self.isValidName(name) else {
                    throw reader.error(at: value, "'name' may hold letters, digits, '-', '_' and '.', got '\(name)'")
                }
            case "description":
                description = try reader.string(value, field: "description")
            case "model":
                model = try readModel(value)
                modelPlace = reader.error(at: value, "")
            case "system":
                system = try readSystem(value, agentPath: path)
            case "tools":
                guard case .sequence(let sequence) = value else {
                    throw reader.error(
                        at: value,
                        "'tools' must be a list (clock, {plugin: NAME}, {mcp: NAME}), got \(reader.kind(of: value))")
                }
                for element in sequence {
                    let reference = try readToolReference(element)
                    if tools.contains(where: { $0.name == reference.name && $0.source == reference.source }) {
                        throw reader.error(at: element, "tool '\(reference)' is listed twice")
                    }
                    tools.append(reference)
                    toolPlaces.append(reader.error(at: element, ""))
                }
            case "approval":
                (approval, approvalPlaces) = try readApproval(value)
            case "tool_choice":
                toolChoice = try readToolChoice(value)
            case "parallel_tool_calls":
                parallel = try reader.bool(value, field: "parallel_tool_calls")
            case "limits":
                limits = try readLimits(value)
            case "params":
                params = try readParams(value)
            default:
                break
            }
        }
        if model == nil, let defaultModel {
            model = try Self.parseShorthand(defaultModel) { message throws(DefinitionError) in
                throw reader.error(at: root, "defaults.model in trellis.yaml: \(message)")
            }
        }
        guard let model else {
            throw reader.error(at: root, "missing required key 'model' (for example: model: openai/gpt-4o-mini)")
        }
        let definition = AgentDefinition(
            name: name, description: description, model: model, system: system, tools: tools,
            toolChoices: toolChoice.map { [$0] } ?? [], parallelToolCalls: parallel, limits: limits, approval: approval)
        return AgentFile(
            path: path, definition: definition, params: params, toolPlaces: toolPlaces,
            approvalPlaces: approvalPlaces, modelPlace: modelPlace, namePlace: namePlace)
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    static func parseShorthand(
        _ text: String, fail: (String) throws(DefinitionError) -> Never
    ) throws(DefinitionError) -> ModelReference {
        guard let reference = ModelReference(shorthand: text) else {
            try fail("'\(text)' is not of the form provider/model-id (for example openai/gpt-4o-mini)")
        }
        return reference
    }

    private func readModel(_ node: Node) throws(DefinitionError) -> ModelReference {
        if case .scalar = node {
            let text = try reader.string(node, field: "model")
            return try Self.parseShorthand(text) { message throws(DefinitionError) in
                throw reader.error(at: node, "'model': \(message)")
            }
        }
        let members = try reader.mapping(node, allowed: ConfigSchema.keys(ConfigSchema.model), what: "'model'")
        var provider: String?
        var name: String?
        var options = GenerationOptions()
        var fallback: [ModelReference] = []
        for member in members {
            let value = member.value
            switch member.key {
            case "provider": provider = try reader.string(value, field: "model.provider")
            case "name": name = try reader.string(value, field: "model.name")
            case "temperature": options.temperature = try reader.double(value, field: "model.temperature")
            case "top_p": options.topP = try reader.double(value, field: "model.top_p")
            case "max_tokens": options.maxTokens = try reader.int(value, field: "model.max_tokens", minimum: 1)
            case "stop": options.stop = try reader.stringList(value, field: "model.stop")
            case "n": options.choices = try reader.int(value, field: "model.n", minimum: 1)
            case "seed": options.seed = try reader.int(value, field: "model.seed")
            case "response_format":
                options.responseFormat = try reader.json(value)
                guard options.responseFormat?.objectValue != nil else {
                    throw reader.error(
                        at: value, "'model.response_format' must be a mapping such as {type: json_object}")
                }
            case "extra":
                guard case .object(let extra) = try reader.json(value) else {
                    throw reader.error(at: value, "'model.extra' must be a mapping")
                }
                options.extra = extra
            case "fallback":
                guard case .sequence(let sequence) = value else {
                    throw reader.error(
                        at: value, "'model.fallback' must be a list of models, got \(reader.kind(of: value))")
                }
                for element in sequence { fallback.append(try readModel(element)) }
            default: break
            }
        }
        guard let name else { throw reader.error(at: node, "'model' is missing required key 'name'") }
        if let provider {
            return ModelReference(provider: provider, name: name, options: options, fallback: fallback)
        }
        var reference = try Self.parseShorthand(name) { message throws(DefinitionError) in
            _ = message
            throw reader.error(at: node, "'model' needs 'provider', or a 'name' of the form provider/model-id")
        }
        reference.options = options
        reference.fallback = fallback
        return reference
    }

    private func readSystem(_ node: Node, agentPath: String) throws(DefinitionError) -> String {
        if case .scalar = node { return try reader.string(node, field: "system") }
        let members = try reader.mapping(node, allowed: ["file"], what: "'system'")
        guard let fileNode = members.first(where: { $0.key == "file" })?.value else {
            throw reader.error(at: node, "'system' as a mapping needs 'file: path'")
        }
        let relative = try reader.string(fileNode, field: "system.file")
        let directory = (agentPath as NSString).deletingLastPathComponent
        let full = relative.hasPrefix("/") ? relative : (directory as NSString).appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8)
        else {
            throw reader.error(at: fileNode, "cannot read system prompt file '\(full)'")
        }
        return text
    }

    /// `clock`, `{plugin: NAME, allow: [...]}` or `{mcp: NAME, allow: [...]}`.
    private func readToolReference(_ node: Node) throws(DefinitionError) -> ToolReference {
        if case .scalar = node { return ToolReference(name: try reader.string(node, field: "tools")) }
        guard case .mapping = node else {
            throw reader.error(
                at: node, "a tool is a name (clock), {plugin: NAME} or {mcp: NAME}, got \(reader.kind(of: node))")
        }
        let members = try reader.mapping(node, allowed: ["plugin", "mcp", "allow"], what: "a tool reference")
        let sources = members.filter { $0.key != "allow" }
        guard sources.count == 1, let source = sources.first else {
            throw reader.error(at: node, "a tool reference needs exactly one of 'plugin: NAME' or 'mcp: NAME'")
        }
        let name = try reader.string(source.value, field: "tools.\(source.key)")
        guard Self.isValidName(name) else {
            throw reader.error(
                at: source.value, "'\(source.key)' names may hold letters, digits, '-', '_' and '.', got '\(name)'")
        }
        var allow: [String]?
        if let allowNode = members.first(where: { $0.key == "allow" })?.value {
            let names = try reader.stringList(allowNode, field: "tools.allow")
            guard !names.isEmpty else {
                throw reader.error(at: allowNode, "'allow' lists the tools the agent may use; it cannot be empty")
            }
            allow = names
        }
        return ToolReference(name: name, source: source.key == "plugin" ? .plugin : .mcp, allow: allow)
    }

    /// `approval: ask` or `approval: {default: allow, tools: {name: ask}}`.
    private func readApproval(_ node: Node) throws(DefinitionError) -> (ToolApprovalPolicy, [String: DefinitionError]) {
        var policy = ToolApprovalPolicy()
        var places: [String: DefinitionError] = [:]
        if case .scalar = node {
            policy.defaultRule = try readRule(node, field: "approval")
            return (policy, places)
        }
        for member in try reader.mapping(node, allowed: ["default", "tools"], what: "'approval'") {
            if member.key == "default" {
                policy.defaultRule = try readRule(member.value, field: "approval.default")
                continue
            }
            for entry in try reader.mapping(member.value, allowed: [], what: "'approval.tools'") {
                policy.tools[entry.key] = try readRule(entry.value, field: "approval.tools.\(entry.key)")
                places[entry.key] = reader.error(at: entry.keyNode, "")
            }
        }
        return (policy, places)
    }

    private func readRule(_ node: Node, field: String) throws(DefinitionError) -> ToolApprovalPolicy.Rule {
        let text = try reader.string(node, field: field)
        guard let rule = ToolApprovalPolicy.Rule(rawValue: text) else {
            throw reader.error(at: node, "'\(field)' must be allow, deny or ask, got '\(text)'")
        }
        return rule
    }

    private func readToolChoice(_ node: Node) throws(DefinitionError) -> ToolChoice {
        if case .scalar = node {
            switch try reader.string(node, field: "tool_choice") {
            case "auto": return .auto
            case "none": return .none
            case "required": return .required
            case let other:
                throw reader.error(
                    at: node, "'tool_choice' must be auto, none, required or {function: NAME}, got '\(other)'")
            }
        }
        let members = try reader.mapping(node, allowed: ["function"], what: "'tool_choice'")
        guard let function = members.first?.value else {
            throw reader.error(at: node, "'tool_choice' as a mapping needs 'function: NAME'")
        }
        return .function(try reader.string(function, field: "tool_choice.function"))
    }

    private func readLimits(_ node: Node) throws(DefinitionError) -> RunLimits {
        var limits = RunLimits()
        for member in try reader.mapping(node, allowed: ConfigSchema.keys(ConfigSchema.limits), what: "'limits'") {
            let value = member.value
            switch member.key {
            case "max_turns": limits.maxTurns = try reader.int(value, field: "limits.max_turns", minimum: 1)
            case "max_tool_calls":
                limits.maxToolCalls = try reader.int(value, field: "limits.max_tool_calls", minimum: 0)
            case "max_tokens": limits.maxTokens = try reader.int(value, field: "limits.max_tokens", minimum: 1)
            case "timeout": limits.timeout = try reader.duration(value, field: "limits.timeout")
            case "max_cost":
                let cost = try reader.double(value, field: "limits.max_cost")
                guard cost >= 0, cost.isFinite else {
                    throw reader.error(at: value, "'limits.max_cost' must be an amount of 0 or more, got \(cost)")
                }
                limits.maxCost = cost
            case "max_repeated_calls":
                limits.maxRepeatedCalls = try reader.int(value, field: "limits.max_repeated_calls", minimum: 2)
            default: break
            }
        }
        return limits
    }

    private func readParams(_ node: Node) throws(DefinitionError) -> [AgentParameter] {
        var params: [AgentParameter] = []
        for member in try reader.mapping(node, allowed: [], what: "'params'") {
            guard Self.isValidName(member.key) else {
                throw reader.error(at: member.keyNode, "parameter names may hold letters, digits, '-', '_' and '.'")
            }
            var parameter = AgentParameter(
                name: member.key, line: member.keyNode.mark?.line ?? 0, column: member.keyNode.mark?.column ?? 0)
            if case .mapping = member.value {
                for field in try reader.mapping(
                    member.value, allowed: ["description", "default"], what: "parameter '\(member.key)'")
                {
                    let text = try reader.string(field.value, field: "params.\(member.key).\(field.key)")
                    if field.key == "description" {
                        parameter.description = text
                    } else {
                        parameter.defaultValue = text
                    }
                }
            } else if case .scalar(let scalar) = member.value, !scalar.string.isEmpty {
                parameter.defaultValue = try reader.string(member.value, field: "params.\(member.key)")
            }
            params.append(parameter)
        }
        return params
    }
}
