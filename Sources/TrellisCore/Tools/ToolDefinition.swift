/// What a model is told about one tool: its name, what it does, and the JSON Schema of its arguments.
public struct ToolDefinition: Sendable, Hashable {
    /// The name the model calls the tool by.
    public var name: String
    /// What the tool does, for the model.
    public var description: String
    /// The JSON Schema of the arguments object.
    public var parameters: JSONValue
    /// Whether running the tool twice with the same arguments does no more than running it once (reading a
    /// file, a clock, a calculation). A call cut short by a crash is re-run on resume only when this is true;
    /// otherwise its outcome is unknown and the model is told so. Never sent to the model.
    public var idempotent: Bool

    /// Creates a tool definition.
    ///
    /// - Parameters:
    ///   - name: The name the model calls the tool by.
    ///   - description: What the tool does.
    ///   - parameters: The JSON Schema of the arguments; defaults to an object with no properties.
    ///   - idempotent: Whether a second run with the same arguments is harmless (see ``idempotent``).
    public init(
        name: String, description: String, parameters: JSONValue = ["type": "object", "properties": [:]],
        idempotent: Bool = false
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.idempotent = idempotent
    }
}
