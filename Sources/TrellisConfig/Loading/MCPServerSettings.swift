/// One `mcp_servers:` entry of `trellis.yaml`: an MCP server run over stdio.
///
/// ```yaml
/// mcp_servers:
///   time: {command: mcp-server-time, args: [--local-timezone, UTC], env: {TZ: UTC}, startup_timeout: 10s}
/// ```
public struct MCPServerSettings: Sendable, Hashable {
    /// The server's name, used in agents as `{mcp: NAME}`.
    public var name: String
    /// The program: a name looked up on PATH, or a path (relative paths are relative to the workspace).
    public var command: String
    /// Its arguments.
    public var arguments: [String]
    /// Variables set for the server besides the few passed through from the runtime's environment.
    public var environment: [String: String]
    /// Where it runs, relative to the workspace; the workspace when `nil`.
    public var workingDirectory: String?
    /// How long spawning, `initialize` and `tools/list` may take together.
    public var startupTimeout: Duration
    /// How long one `tools/call` may take.
    public var callTimeout: Duration
    /// `path:line:column` of the entry, for errors about it.
    public var place: String
    /// Tools declared safe to run twice (`idempotent: [NAME, ...]`, or `true` for all), besides those the server
    /// marks `idempotentHint` or `readOnlyHint`; a call cut short by a crash is re-run on resume only for these.
    public var idempotent: IdempotentTools = .listed([])

    /// Which of a server's tools are idempotent.
    public enum IdempotentTools: Sendable, Hashable {
        /// Every tool of the server.
        case all
        /// The tools named.
        case listed(Set<String>)

        /// Whether `tool` is one of them.
        public func contains(_ tool: String) -> Bool {
            switch self {
            case .all: true
            case .listed(let names): names.contains(tool)
            }
        }
    }

    /// Creates settings; by default 10 s to start and 60 s per call.
    public init(
        name: String, command: String, arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String? = nil, startupTimeout: Duration = .seconds(10), callTimeout: Duration = .seconds(60),
        place: String = ""
    ) {
        self.name = name
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.startupTimeout = startupTimeout
        self.callTimeout = callTimeout
        self.place = place
    }
}
