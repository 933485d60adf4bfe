import TrellisCore

/// An agent loaded from `agents/<name>.yaml`.
public struct AgentFile: Sendable {
    /// The file the agent came from.
    public var path: String
    /// The agent, with `{{param}}` placeholders still in its system prompt.
    public var definition: AgentDefinition
    /// The declared input parameters.
    public var params: [AgentParameter]
    /// Whether `tools:` was read without problems (otherwise tool names are not checked against it).
    var toolsComplete = true
    /// Where each tool reference, the model and the name were written, for later cross-checks.
    var toolPlaces: [DefinitionError] = []
    /// Per `tools:` entry, where each of its `allow:` names was written.
    var allowPlaces: [[DefinitionError]] = []
    /// Per `tool_choice` entry, where the tool name of a `{function: NAME}` choice was written.
    var toolChoicePlaces: [DefinitionError?] = []
    var stopAtToolPlaces: [DefinitionError] = []
    var systemPlace: DefinitionError?
    var approvalPlaces: [String: DefinitionError] = [:]
    var modelPlace: DefinitionError
    var namePlace: DefinitionError
    /// Where `routes:` named its agents and classifiers.
    var routePlaces = AgentLoader.RoutePlaces()
    /// Where each `handoffs:` name was written.
    var handoffPlaces: [DefinitionError] = []
    /// Where each `{agent: NAME}` tool was written.
    var agentToolPlaces: [DefinitionError] = []

    /// A part of the agent file that a later check can report a problem at.
    public enum Part: Sendable, Hashable {
        /// The `index`-th entry of `tools:`.
        case tool(Int)
        /// The `entry`-th name in the `allow:` list of the `tool`-th entry of `tools:`.
        case allow(tool: Int, entry: Int)
        /// The tool name of the `index`-th `tool_choice` entry.
        case toolChoice(Int)
        /// The `index`-th name in `stop_at_tools:`.
        case stopAtTool(Int)
        /// The system prompt.
        case system
    }

    /// `path:line:column` of the agent's `index`-th `tools:` entry, for errors about it found later.
    public func place(ofTool index: Int) -> String {
        let place = error(at: .tool(index), "")
        return place.line > 0 ? "\(path):\(place.line):\(place.column)" : path
    }

    /// A problem at a part of the agent file; at the file itself when that part was not written.
    public func error(at part: Part, _ message: String) -> DefinitionError {
        let place: DefinitionError?
        switch part {
        case .tool(let index): place = toolPlaces.indices.contains(index) ? toolPlaces[index] : nil
        case .allow(let tool, let entry):
            let places = allowPlaces.indices.contains(tool) ? allowPlaces[tool] : []
            place = places.indices.contains(entry) ? places[entry] : error(at: .tool(tool), "")
        case .toolChoice(let index): place = toolChoicePlaces.indices.contains(index) ? toolChoicePlaces[index] : nil
        case .stopAtTool(let index): place = stopAtToolPlaces.indices.contains(index) ? stopAtToolPlaces[index] : nil
        case .system: place = systemPlace
        }
        return DefinitionError(file: path, line: place?.line ?? 0, column: place?.column ?? 0, message: message)
    }

    /// What to say about a `tool_choice` or `stop_at_tools` name the agent has no tool for.
    ///
    /// - Parameters:
    ///   - name: The name written.
    ///   - part: ``Part/toolChoice(_:)`` or ``Part/stopAtTool(_:)``.
    ///   - tools: The names of every tool the agent has, as the model sees them.
    public func missingTool(_ name: String, at part: Part, tools: [String]) -> DefinitionError {
        let field = if case .toolChoice = part { "'tool_choice' forces" } else { "'stop_at_tools' names" }
        return error(
            at: part,
            "\(field) tool '\(name)', which the agent does not have\(Suggestions.hint(for: name, in: tools)); "
                + "its tools: \(tools.isEmpty ? "none" : tools.joined(separator: ", "))")
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
