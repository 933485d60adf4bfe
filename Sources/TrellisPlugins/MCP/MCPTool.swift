import TrellisCore

/// One tool of an MCP server, callable by agents like any other tool.
///
/// Calls go through the ``MCPServerPool`` that listed the tool, so every run in the pool's scope shares the
/// server's one process. After the pool's scope ends, calls return an error result.
public struct MCPTool: ToolExecutor {
    /// What the model sees: the server's name, description and `inputSchema`.
    public var definition: ToolDefinition
    /// The server's configured name.
    public var server: String
    /// The tool's name on the server, used in `tools/call`.
    public var remoteName: String
    let pool: MCPServerPool

    init(definition: ToolDefinition, server: String, pool: MCPServerPool) {
        self.definition = definition
        self.server = server
        self.remoteName = definition.name
        self.pool = pool
    }

    /// Sends `tools/call` to the server, starting or restarting it if needed.
    ///
    /// - Returns: The tool's content; failures of the server or the tool are error results that name the server,
    ///   the tool and the cause, with the server's stderr tail when the server failed.
    /// - Throws: `CancellationError` when the calling task is cancelled.
    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await pool.call(remoteName, of: server, arguments: arguments)
    }
}
