import TrellisCore

/// What a running MCP server told us about itself in `initialize`.
public struct MCPServerInfo: Sendable, Hashable {
    /// The server's configured name.
    public var name: String
    /// The protocol version the server answered; Trellis asks for `2025-11-25` and accepts any answer.
    public var protocolVersion: String
    /// `serverInfo.name`, when the server gave one.
    public var serverName: String?
    /// `serverInfo.version`, when the server gave one.
    public var serverVersion: String?
    /// The server's process id (also its process group id).
    public var processID: Int32
}

/// A server that finished its handshake: its connection, what it said about itself, and its tools.
struct MCPRunningServer: Sendable {
    let connection: MCPConnection
    let info: MCPServerInfo
    let tools: [ToolDefinition]
}
