/// What a model is told about one tool: its name, what it does, and the JSON Schema of its arguments.
public struct ToolDefinition: Sendable, Hashable {
    /// The name the model calls the tool by.
    public var name: String
    /// What the tool does, for the model.
    public var description: String
    /// The JSON Schema of the arguments object.
    public var parameters: JSONValue

    /// Creates a tool definition.
    ///
    /// - Parameters:
    ///   - name: The name the model calls the tool by.
    ///   - description: What the tool does.
    ///   - parameters: The JSON Schema of the arguments; defaults to an object with no properties.
    public init(name: String, description: String, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}
