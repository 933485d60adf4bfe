import TrellisCore
import Yams

extension AgentLoader {
    /// `tools:`: each entry is read on its own, so one bad entry does not hide the others.
    func readTools(
        _ node: Node, into fields: inout Fields, problems: inout [DefinitionError]
    ) throws(DefinitionError) {
        guard case .sequence(let sequence) = node else {
            throw reader.error(
                at: node,
                "'tools' must be a list (clock, {plugin: NAME}, {mcp: NAME}, {agent: NAME}), got \(reader.kind(of: node))"
            )
        }
        for element in sequence {
            do throws(DefinitionError) {
                if case .mapping(let mapping) = element, mapping.count == 1,
                    case .scalar(let key)? = mapping.keys.first, key.string == "agent", let value = mapping.values.first
                {
                    let name = try reader.string(value, field: "tools.agent")
                    guard Self.isValidName(name) else {
                        throw reader.error(at: value, "'agent' names an agent, got \(reader.shown(name, of: value))")
                    }
                    guard !fields.agentTools.contains(name) else {
                        throw reader.error(at: element, "agent '\(name)' is listed twice in 'tools'")
                    }
                    fields.agentTools.append(name)
                    fields.agentToolPlaces.append(reader.error(at: value, ""))
                    continue
                }
                let (reference, allowPlaces) = try readToolReference(element, problems: &problems)
                if fields.tools.contains(where: { $0.name == reference.name && $0.source == reference.source }) {
                    throw reader.error(at: element, "tool '\(reference)' is listed twice")
                }
                fields.tools.append(reference)
                fields.toolPlaces.append(reader.error(at: element, ""))
                fields.allowPlaces.append(allowPlaces)
            } catch {
                problems.append(error)
            }
        }
    }

    /// `clock`, `{plugin: NAME, allow: [...]}` or `{mcp: NAME, allow: [...]}`, with the place of each `allow:` entry.
    private func readToolReference(
        _ node: Node, problems: inout [DefinitionError]
    ) throws(DefinitionError) -> (ToolReference, [DefinitionError]) {
        if case .scalar = node { return (ToolReference(name: try reader.string(node, field: "tools")), []) }
        guard case .mapping = node else {
            throw reader.error(
                at: node,
                "a tool is a name (clock), {plugin: NAME}, {mcp: NAME} or {agent: NAME}, got \(reader.kind(of: node))")
        }
        let members = try reader.mapping(node, allowed: ["plugin", "mcp", "allow"], what: "a tool reference")
        let sources = members.filter { $0.key != "allow" }
        guard sources.count == 1, let source = sources.first else {
            throw reader.error(at: node, "a tool reference needs exactly one of 'plugin: NAME' or 'mcp: NAME'")
        }
        let name = try reader.string(source.value, field: "tools.\(source.key)")
        guard Self.isValidName(name) else {
            throw reader.error(
                at: source.value,
                "'\(source.key)' names may hold letters, digits, '-', '_' and '.', got \(reader.shown(name, of: source.value))"
            )
        }
        var allow: [String]?
        var places: [DefinitionError] = []
        if let allowNode = members.first(where: { $0.key == "allow" })?.value {
            let names = try reader.stringList(allowNode, field: "tools.allow")
            guard !names.isEmpty else {
                throw reader.error(at: allowNode, "'allow' lists the tools the agent may use; it cannot be empty")
            }
            allow = names
            if case .sequence(let sequence) = allowNode {
                places = sequence.map { reader.error(at: $0, "") }
            } else {
                places = [reader.error(at: allowNode, "")]
            }
        }
        return (ToolReference(name: name, source: source.key == "plugin" ? .plugin : .mcp, allow: allow), places)
    }

    /// `approval: ask` or `approval: {default: allow, tools: {name: ask}}`.
    func readApproval(
        _ node: Node, problems: inout [DefinitionError]
    ) throws(DefinitionError) -> (ToolApprovalPolicy, [String: DefinitionError]) {
        var policy = ToolApprovalPolicy()
        var places: [String: DefinitionError] = [:]
        if case .scalar = node {
            policy.defaultRule = try readRule(node, field: "approval")
            return (policy, places)
        }
        for member in try reader.mapping(node, allowed: ["default", "tools"], what: "'approval'", problems: &problems) {
            if member.key == "default" {
                reader.collect(&problems) { () throws(DefinitionError) in
                    policy.defaultRule = try readRule(member.value, field: "approval.default")
                }
                continue
            }
            let entries: [YAMLReader.Member]
            do throws(DefinitionError) {
                entries = try reader.mapping(member.value, allowed: [], what: "'approval.tools'")
            } catch {
                problems.append(error)
                continue
            }
            for entry in entries {
                reader.collect(&problems) { () throws(DefinitionError) in
                    policy.tools[entry.key] = try readRule(entry.value, field: "approval.tools.\(entry.key)")
                    places[entry.key] = reader.error(at: entry.keyNode, "")
                }
            }
        }
        return (policy, places)
    }

    private func readRule(_ node: Node, field: String) throws(DefinitionError) -> ToolApprovalPolicy.Rule {
        let text = try reader.string(node, field: field)
        guard let rule = ToolApprovalPolicy.Rule(rawValue: text) else {
            throw reader.error(at: node, "'\(field)' must be allow, deny or ask, got \(reader.shown(text, of: node))")
        }
        return rule
    }

    /// `tool_choice: required`, `{function: NAME}`, or a list of them, one per turn (the last holds after it).
    func readToolChoices(
        _ node: Node, into fields: inout Fields, problems: inout [DefinitionError]
    ) throws(DefinitionError) {
        guard case .sequence(let sequence) = node else {
            let (choice, place) = try readToolChoice(node)
            fields.toolChoices = [choice]
            fields.toolChoicePlaces = [place]
            return
        }
        guard !sequence.isEmpty else {
            throw reader.error(
                at: node,
                "'tool_choice' as a list needs at least one choice (one per turn; the last holds for later turns)")
        }
        for element in sequence {
            do throws(DefinitionError) {
                if case .sequence = element {
                    throw reader.error(
                        at: element,
                        "a 'tool_choice' list entry must be auto, none, required or {function: NAME}, "
                            + "got a list")
                }
                let (choice, place) = try readToolChoice(element)
                fields.toolChoices.append(choice)
                fields.toolChoicePlaces.append(place)
            } catch {
                problems.append(error)
            }
        }
    }

    /// One choice, with the place of the tool name a `{function: NAME}` choice forces.
    private func readToolChoice(_ node: Node) throws(DefinitionError) -> (ToolChoice, DefinitionError?) {
        if case .scalar = node {
            switch try reader.string(node, field: "tool_choice") {
            case "auto": return (.auto, nil)
            case "none": return (.none, nil)
            case "required": return (.required, nil)
            case let other:
                throw reader.error(
                    at: node,
                    "'tool_choice' must be auto, none, required or {function: NAME}, got \(reader.shown(other, of: node))"
                )
            }
        }
        let members = try reader.mapping(node, allowed: ["function"], what: "'tool_choice'")
        guard let function = members.first?.value else {
            throw reader.error(at: node, "'tool_choice' as a mapping needs 'function: NAME'")
        }
        let name = try reader.string(function, field: "tool_choice.function")
        guard !name.isEmpty else { throw reader.error(at: function, "'tool_choice.function' is empty") }
        return (.function(name), reader.error(at: function, ""))
    }

    /// `stop_at_tools: [NAME, ...]`: a non-empty list of distinct tool names.
    func readStopAtTools(
        _ node: Node, into fields: inout Fields, problems: inout [DefinitionError]
    ) throws(DefinitionError) {
        let elements: [Node]
        switch node {
        case .scalar: elements = [node]
        case .sequence(let sequence): elements = Array(sequence)
        default:
            throw reader.error(at: node, "'stop_at_tools' must be a list of tool names, got \(reader.kind(of: node))")
        }
        guard !elements.isEmpty else {
            throw reader.error(
                at: node, "'stop_at_tools' lists the tools whose result ends the run; it cannot be empty")
        }
        for element in elements {
            reader.collect(&problems) { () throws(DefinitionError) in
                let name = try reader.string(element, field: "stop_at_tools")
                guard !name.isEmpty else { throw reader.error(at: element, "'stop_at_tools' holds an empty name") }
                if let first = fields.stopAtTools.firstIndex(of: name) {
                    let place = fields.stopAtToolPlaces[first]
                    throw reader.error(
                        at: element,
                        "tool '\(name)' is listed twice in 'stop_at_tools' (first at \(place.line):\(place.column))")
                }
                fields.stopAtTools.append(name)
                fields.stopAtToolPlaces.append(reader.error(at: element, ""))
            }
        }
    }
}
