import Foundation
import TrellisCore
import Yams

/// Turns the text of one agent file into an ``AgentFile``.
///
/// Every problem of the file is collected, in file order: a key whose value is broken is skipped and the other
/// keys are still read, so one run reports everything.
struct AgentLoader {
    let reader: YAMLReader
    let defaultModel: String?

    /// What the loop over the file's keys has found so far.
    struct Fields {
        var name: String
        var namePlace: DefinitionError
        var description: String?
        var model: ModelReference?
        var modelWritten = false
        var modelPlace: DefinitionError
        var system: String?
        var systemNode: Node?
        var tools: [ToolReference] = []
        var toolsComplete = true
        var toolPlaces: [DefinitionError] = []
        var allowPlaces: [[DefinitionError]] = []
        var toolChoices: [ToolChoice] = []
        var toolChoicePlaces: [DefinitionError?] = []
        var stopAtTools: [String] = []
        var stopAtToolPlaces: [DefinitionError] = []
        var parallel = true
        var limits = RunLimits()
        var params: [AgentParameter] = []
        var paramsComplete = true
        var approval = ToolApprovalPolicy()
        var approvalPlaces: [String: DefinitionError] = [:]
        var routes: RouteTable?
        var routePlaces = RoutePlaces()
        var handoffs: [String] = []
        var handoffPlaces: [DefinitionError] = []
        var agentTools: [String] = []
        var agentToolPlaces: [DefinitionError] = []
    }

    /// Reads the file.
    ///
    /// - Returns: The problems in file order, and the agent as far as it could be read (for the workspace's
    ///   cross-checks, so those run in the same pass); `nil` when the file is not a mapping at all. An agent with
    ///   a broken or missing model has an empty provider and model name.
    func load(_ text: String, path: String) -> (file: AgentFile?, problems: [DefinitionError]) {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var problems: [DefinitionError] = []
        let root: Node
        let members: [YAMLReader.Member]
        do throws(DefinitionError) {
            guard let composed = try reader.compose(text) else {
                throw reader.error(at: nil, "the file is empty; an agent needs at least 'model'")
            }
            root = composed
            members = try reader.mapping(
                root, allowed: ConfigSchema.keys(ConfigSchema.agent), what: "the agent", problems: &problems)
        } catch {
            return (nil, YAMLReader.inFileOrder(problems + [error]))
        }
        var fields = Fields(
            name: stem, namePlace: reader.error(at: nil, ""), modelPlace: reader.error(at: root, ""))
        for member in members {
            do throws(DefinitionError) {
                try read(member, into: &fields, agentPath: path, problems: &problems)
            } catch {
                problems.append(error)
            }
        }
        if fields.model == nil, !fields.modelWritten, let defaultModel {
            do throws(DefinitionError) {
                fields.model = try Self.parseShorthand(defaultModel) { message throws(DefinitionError) in
                    throw reader.error(at: root, "defaults.model in trellis.yaml: \(message)")
                }
            } catch {
                problems.append(error)
            }
        } else if fields.model == nil, !fields.modelWritten,
            !reader.misspells("model", in: root, allowed: ConfigSchema.keys(ConfigSchema.agent))
        {
            problems.append(
                reader.error(at: root, "missing required key 'model' (for example: model: openai/gpt-4o-mini)"))
        }
        if fields.paramsComplete, let system = fields.system {
            problems += undeclaredParameters(in: system, at: fields.systemNode, declared: fields.params.map(\.name))
        }
        let model = fields.model ?? ModelReference(provider: "", name: "")
        let definition = AgentDefinition(
            name: fields.name, description: fields.description, model: model, system: fields.system,
            tools: fields.tools, toolChoices: fields.toolChoices, stopAtTools: fields.stopAtTools,
            parallelToolCalls: fields.parallel, limits: fields.limits, approval: fields.approval, routes: fields.routes,
            handoffs: fields.handoffs, agentTools: fields.agentTools)
        let file = AgentFile(
            path: path, definition: definition, params: fields.params, toolsComplete: fields.toolsComplete,
            toolPlaces: fields.toolPlaces,
            allowPlaces: fields.allowPlaces, toolChoicePlaces: fields.toolChoicePlaces,
            stopAtToolPlaces: fields.stopAtToolPlaces, systemPlace: fields.systemNode.map { reader.error(at: $0, "") },
            approvalPlaces: fields.approvalPlaces, modelPlace: fields.modelPlace, namePlace: fields.namePlace,
            routePlaces: fields.routePlaces, handoffPlaces: fields.handoffPlaces,
            agentToolPlaces: fields.agentToolPlaces)
        return (file, YAMLReader.inFileOrder(problems))
    }

    private func read(
        _ member: YAMLReader.Member, into fields: inout Fields, agentPath: String, problems: inout [DefinitionError]
    ) throws(DefinitionError) {
        let value = member.value
        switch member.key {
        case "name":
            let name = try reader.string(value, field: "name")
            guard Self.isValidName(name) else {
                throw reader.error(
                    at: value, "'name' may hold letters, digits, '-', '_' and '.', got \(reader.shown(name, of: value))"
                )
            }
            fields.name = name
            fields.namePlace = reader.error(at: value, "")
        case "description":
            fields.description = try reader.string(value, field: "description")
        case "model":
            fields.modelWritten = true
            fields.modelPlace = reader.error(at: value, "")
            fields.model = try readModel(value, problems: &problems)
        case "system":
            fields.systemNode = value
            fields.system = try readSystem(value, agentPath: agentPath)
        case "tools":
            fields.toolsComplete = false
            let before = problems.count
            try readTools(value, into: &fields, problems: &problems)
            fields.toolsComplete = problems.count == before
        case "approval":
            (fields.approval, fields.approvalPlaces) = try readApproval(value, problems: &problems)
        case "tool_choice":
            try readToolChoices(value, into: &fields, problems: &problems)
        case "stop_at_tools":
            try readStopAtTools(value, into: &fields, problems: &problems)
        case "parallel_tool_calls":
            fields.parallel = try reader.bool(value, field: "parallel_tool_calls")
        case "limits":
            fields.limits = try readLimits(value, problems: &problems)
        case "routes":
            let (table, places) = try readRoutes(value, problems: &problems)
            fields.routes = table
            fields.routePlaces = places
        case "handoffs":
            let nodes: [Node] = if case .sequence(let list) = value { Array(list) } else { [value] }
            for node in nodes {
                reader.collect(&problems) { () throws(DefinitionError) in
                    let name = try reader.string(node, field: "handoffs")
                    guard Self.isValidName(name) else {
                        throw reader.error(at: node, "'handoffs' names agents, got \(reader.shown(name, of: node))")
                    }
                    guard !fields.handoffs.contains(name) else {
                        throw reader.error(at: node, "agent '\(name)' is listed twice in 'handoffs'")
                    }
                    fields.handoffs.append(name)
                    fields.handoffPlaces.append(reader.error(at: node, ""))
                }
            }
        case "params":
            fields.paramsComplete = false
            let before = problems.count
            fields.params = try readParams(value, problems: &problems)
            fields.paramsComplete = problems.count == before
        default:
            break
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    static func parseShorthand(
        _ text: String, shown: String? = nil, fail: (String) throws(DefinitionError) -> Never
    ) throws(DefinitionError) -> ModelReference {
        guard let reference = ModelReference(shorthand: text) else {
            try fail("\(shown ?? "'\(text)'") is not of the form provider/model-id (for example openai/gpt-4o-mini)")
        }
        return reference
    }

    /// The model, or `nil` when it is broken in a way already added to `problems`.
    private func readModel(_ node: Node, problems: inout [DefinitionError]) throws(DefinitionError) -> ModelReference? {
        if case .scalar = node {
            let text = try reader.string(node, field: "model")
            return try Self.parseShorthand(text, shown: reader.shown(text, of: node)) {
                message throws(DefinitionError) in
                throw reader.error(at: node, "'model': \(message)")
            }
        }
        let members = try reader.mapping(
            node, allowed: ConfigSchema.keys(ConfigSchema.model), what: "'model'", problems: &problems)
        var provider: String?
        var name: String?
        var nameBroken = false
        var providerBroken = false
        var options = GenerationOptions()
        var fallback: [ModelReference] = []
        for member in members {
            do throws(DefinitionError) {
                let value = member.value
                switch member.key {
                case "provider":
                    providerBroken = true
                    let text = try reader.string(value, field: "model.provider")
                    guard !text.isEmpty else {
                        throw reader.error(
                            at: value, "'model.provider' is empty; name a provider such as openai or ollama")
                    }
                    provider = text
                    providerBroken = false
                case "name":
                    nameBroken = true
                    name = try reader.string(value, field: "model.name")
                    guard name?.isEmpty == false else {
                        throw reader.error(at: value, "'model.name' is empty; give a model id such as gpt-4o-mini")
                    }
                    nameBroken = false
                case "temperature": options.temperature = try reader.double(value, field: "model.temperature")
                case "top_p": options.topP = try reader.double(value, field: "model.top_p")
                case "max_tokens":
                    options.maxTokens = try reader.int(value, field: "model.max_tokens", in: ConfigLimits.replyTokens)
                case "stop": options.stop = try reader.stringList(value, field: "model.stop")
                case "n": options.choices = try reader.int(value, field: "model.n", in: ConfigLimits.choices)
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
                    for element in sequence {
                        do throws(DefinitionError) {
                            if let model = try readModel(element, problems: &problems) { fallback.append(model) }
                        } catch {
                            problems.append(error)
                        }
                    }
                default: break
                }
            } catch {
                problems.append(error)
            }
        }
        guard let name else {
            // A 'name' that is there but broken has been reported already; "missing" would be wrong.
            guard !nameBroken else { return nil }
            throw reader.error(at: node, "'model' is missing required key 'name'")
        }
        // A 'provider' that is there but broken has been reported already; do not read 'name' as shorthand.
        guard !providerBroken else { return nil }
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

    private func readLimits(_ node: Node, problems: inout [DefinitionError]) throws(DefinitionError) -> RunLimits {
        var limits = RunLimits()
        let members = try reader.mapping(
            node, allowed: ConfigSchema.keys(ConfigSchema.limits), what: "'limits'", problems: &problems)
        for member in members {
            let value = member.value
            reader.collect(&problems) { () throws(DefinitionError) in
                switch member.key {
                case "max_turns":
                    limits.maxTurns = try reader.int(value, field: "limits.max_turns", in: ConfigLimits.maxTurns)
                case "max_tool_calls":
                    limits.maxToolCalls = try reader.int(
                        value, field: "limits.max_tool_calls", in: ConfigLimits.maxToolCalls)
                case "max_tokens":
                    limits.maxTokens = try reader.int(value, field: "limits.max_tokens", in: ConfigLimits.runTokens)
                case "timeout":
                    limits.timeout = try reader.duration(value, field: "limits.timeout", in: ConfigLimits.runTimeout)
                case "max_cost":
                    limits.maxCost = try reader.double(value, field: "limits.max_cost", in: ConfigLimits.maxCost)
                case "max_tool_calls_per_turn":
                    limits.maxToolCallsPerTurn = try reader.int(
                        value, field: "limits.max_tool_calls_per_turn", in: ConfigLimits.maxToolCallsPerTurn)
                case "max_repeated_calls":
                    limits.maxRepeatedCalls = try reader.int(
                        value, field: "limits.max_repeated_calls", in: ConfigLimits.maxRepeatedCalls)
                default: break
                }
            }
        }
        return limits
    }
}
