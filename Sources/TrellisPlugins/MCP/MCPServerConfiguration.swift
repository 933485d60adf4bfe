/// One MCP stdio server as `trellis.yaml` declares it under `mcp_servers:`.
///
/// ```swift
/// let time = MCPServerConfiguration(name: "time", command: "mcp-server-time")
/// ```
public struct MCPServerConfiguration: Sendable, Hashable {
    /// The server's name in the configuration; errors and tool prefixes use it.
    public var name: String
    /// The executable: a path when it contains `/`, otherwise a name looked up on `PATH`.
    public var command: String
    /// The executable's arguments.
    public var arguments: [String]
    /// Variables set for the server on top of `PATH`, `HOME`, `LANG`, `USER`, `LOGNAME`, `SHELL` and `TERM`.
    public var environment: [String: String]
    /// The server's working directory; `nil` keeps ours.
    public var workingDirectory: String?
    /// How long spawning, `initialize` and `tools/list` may take together.
    public var startupTimeout: Duration
    /// How long one `tools/call` may take.
    public var callTimeout: Duration

    /// Creates a server configuration.
    ///
    /// - Parameters:
    ///   - name: The server's name.
    ///   - command: The executable (a path when it contains `/`, otherwise looked up on `PATH`).
    ///   - arguments: The executable's arguments.
    ///   - environment: Extra variables for the server.
    ///   - workingDirectory: The server's working directory; `nil` keeps ours.
    ///   - startupTimeout: The limit on spawn, `initialize` and `tools/list`; 10 s by default.
    ///   - callTimeout: The limit on one tool call; 60 s by default.
    public init(
        name: String, command: String, arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String? = nil, startupTimeout: Duration = .seconds(10), callTimeout: Duration = .seconds(60)
    ) {
        self.name = name
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.startupTimeout = startupTimeout
        self.callTimeout = callTimeout
    }
}
