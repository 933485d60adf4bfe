import TrellisCore

/// An agent loaded from `agents/<name>.yaml`.
public struct AgentFile: Sendable {
    /// The file the agent came from.
    public var path: String
    /// The agent, with `{{param}}` placeholders still in its system prompt.
    public var definition: AgentDefinition
    /// The declared input parameters.
    public var params: [AgentParameter]
    /// Where each tool reference, the model and the name were written, for later cross-checks.
    var toolPlaces: [DefinitionError] = []
    var approvalPlaces: [String: DefinitionError] = [:]
    var modelPlace: DefinitionError
    var namePlace: DefinitionError

    /// `path:line:column` of the agent's `index`-th `tools:` entry, for errors about it found later.
    public func place(ofTool index: Int) -> String {
        guard toolPlaces.indices.contains(index) else { return path }
        let place = toolPlaces[index]
        return "\(path):\(place.line):\(place.column)"
    }

    /// The agent with parameters substituted into its system prompt.
    ///
    /// - Parameter values: Values given on the command line (`-p name=value`).
    /// - Throws: ``DefinitionError`` for an undeclared name or a parameter with neither value nor default.
    public func resolved(params values: [String: String] = [:]) throws(DefinitionError) -> AgentDefinition {
        for name in values.keys.sorted() where !params.contains(where: { $0.name == name }) {
            let declared = params.map(\.name)
            throw DefinitionError(
                file: path, line: 0, column: 0,
                message: "unknown parameter '\(name)'\(Suggestions.hint(for: name, in: declared)); declared: "
                    + (declared.isEmpty ? "none" : declared.joined(separator: ", ")))
        }
        var agent = definition
        guard var system = agent.system, !params.isEmpty else { return agent }
        for parameter in params {
            guard let value = values[parameter.name] ?? parameter.defaultValue else {
                throw DefinitionError(
                    file: path, line: parameter.line, column: parameter.column,
                    message: "parameter '\(parameter.name)' has no value: pass -p \(parameter.name)=VALUE")
            }
            system = system.replacingAll("{{\(parameter.name)}}", with: value)
        }
        agent.system = system
        return agent
    }
}

/// A declared input parameter of an agent.
public struct AgentParameter: Sendable, Hashable {
    /// The name, written `{{name}}` in the system prompt.
    public var name: String
    /// What it is for.
    public var description: String?
    /// The value used when none is given.
    public var defaultValue: String?
    var line: Int
    var column: Int
}
