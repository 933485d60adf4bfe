import Foundation
import TrellisCore
import Yams

extension AgentLoader {
    /// `params:`: each parameter is read on its own.
    func readParams(_ node: Node, problems: inout [DefinitionError]) throws(DefinitionError) -> [AgentParameter] {
        var params: [AgentParameter] = []
        for member in try reader.mapping(node, allowed: [], what: "'params'") {
            do throws(DefinitionError) {
                params.append(try readParameter(member, problems: &problems))
            } catch {
                problems.append(error)
            }
        }
        return params
    }

    private func readParameter(
        _ member: YAMLReader.Member, problems: inout [DefinitionError]
    ) throws(DefinitionError) -> AgentParameter {
        guard Self.isValidName(member.key) else {
            throw reader.error(at: member.keyNode, "parameter names may hold letters, digits, '-', '_' and '.'")
        }
        var parameter = AgentParameter(
            name: member.key, line: member.keyNode.mark?.line ?? 0, column: member.keyNode.mark?.column ?? 0)
        if case .mapping = member.value {
            let fields = try reader.mapping(
                member.value, allowed: ["description", "default"], what: "parameter '\(member.key)'",
                problems: &problems)
            for field in fields {
                reader.collect(&problems) { () throws(DefinitionError) in
                    let text = try reader.string(field.value, field: "params.\(member.key).\(field.key)")
                    if field.key == "description" {
                        parameter.description = text
                    } else {
                        parameter.defaultValue = text
                    }
                }
            }
        } else if case .scalar(let scalar) = member.value, !scalar.string.isEmpty {
            parameter.defaultValue = try reader.string(member.value, field: "params.\(member.key)")
        }
        return parameter
    }

    /// A problem at the system prompt for each `{{name}}` in it that `params:` does not declare, once per name.
    func undeclaredParameters(in system: String, at node: Node?, declared: [String]) -> [DefinitionError] {
        var problems: [DefinitionError] = []
        var reported: Set<String> = []
        for name in Self.placeholders(in: system) where !declared.contains(name) && !reported.contains(name) {
            reported.insert(name)
            problems.append(
                reader.error(
                    at: node,
                    "'system' uses parameter '{{\(name)}}', which 'params:' does not declare"
                        + "\(Suggestions.hint(for: name, in: declared)); declared: "
                        + (declared.isEmpty ? "none" : declared.joined(separator: ", "))))
        }
        return problems
    }

    /// The names written `{{name}}` in a text, in order: only names ``AgentFile/resolved(params:)`` substitutes.
    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { break }
            let name = String(after[..<close.lowerBound])
            if isValidName(name) {
                names.append(name)
                rest = after[close.upperBound...]
            } else {
                rest = after
            }
        }
        return names
    }
}
