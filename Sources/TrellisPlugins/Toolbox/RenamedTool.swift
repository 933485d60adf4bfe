import TrellisCore

/// A tool offered to the model under another name; calls go to the original.
struct RenamedTool: ToolExecutor {
    let base: any ToolExecutor
    let definition: ToolDefinition

    init(base: any ToolExecutor, name: String) {
        self.base = base
        var definition = base.definition
        definition.name = name
        self.definition = definition
    }

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await base.execute(arguments: arguments, context: context)
    }
}
