import Foundation
import Logging
import Synchronization
import TrellisConfig
import TrellisCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The MCP stdio servers of one workspace: each starts on first use, is shared by every concurrent run, and stops
/// when the pool's scope ends.
///
/// ```swift
/// let time = MCPServerSettings(name: "time", command: "mcp-server-time")
/// try await MCPServerPool.withPool([time]) { pool in
///     let tools = try await pool.tools(of: "time")      // starts the server
///     let now = try await tools[0].execute(arguments: ["timezone": "UTC"], context: context)
/// }
/// ```
///
/// A server that dies fails its in-flight calls (the error names the server, its exit status and stderr tail),
/// is restarted once on its next use, and after a second failure is reported and not restarted again. A server
/// that fails to start counts the same way.
public final class MCPServerPool: Sendable {
    /// The variables of our environment a server inherits; the rest come from its configuration.
    public static let inheritedVariables = ["PATH", "HOME", "LANG", "USER", "LOGNAME", "SHELL", "TERM"]

    let configurations: [String: MCPServerSettings]
    let environment: [String: String]
    let stopGrace: Duration
    let logger: Logger
    let launches: AsyncStream<MCPServerLaunch>.Continuation
    let state = Mutex(MCPPoolState())

    init(
        configurations: [MCPServerSettings], environment: [String: String], stopGrace: Duration, logger: Logger,
        launches: AsyncStream<MCPServerLaunch>.Continuation
    ) {
        self.configurations = Dictionary(configurations.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.environment = environment.filter { Self.inheritedVariables.contains($0.key) }
        self.stopGrace = stopGrace
        self.logger = logger
        self.launches = launches
    }

    /// Runs `body` with a pool of the given servers, and stops every server it started when `body` ends.
    ///
    /// Servers start lazily, on the first ``tools(of:)`` or tool call. When `body` returns or throws, each running
    /// server's stdin is closed; a server still running after `stopGrace` gets SIGTERM, and SIGKILL after another
    /// `stopGrace`, always to its whole process group. This function returns only when every server process is gone.
    ///
    /// - Parameters:
    ///   - servers: The servers, by their configured names.
    ///   - environment: Our environment; servers get only ``inheritedVariables`` from it, plus their own `env:`.
    ///   - stopGrace: How long a server has to exit at each step of stopping it.
    ///   - logger: Where server start-ups, deaths and (at debug level) stderr lines go.
    ///   - body: The work that uses the servers.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    public static func withPool<R: Sendable>(
        _ servers: [MCPServerSettings], environment: [String: String] = ProcessInfo.processInfo.environment,
        stopGrace: Duration = .seconds(1), logger: Logger = Logger(label: "trellis.mcp"),
        _ body: (MCPServerPool) async throws -> R
    ) async throws -> R {
        _ = BrokenPipe.ignore
        let (requests, launches) = AsyncStream.makeStream(of: MCPServerLaunch.self)
        let pool = MCPServerPool(
            configurations: servers, environment: environment, stopGrace: stopGrace, logger: logger,
            launches: launches)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.supervise(requests) }
            let result: Result<R, any Error>
            do {
                result = .success(try await body(pool))
            } catch {
                result = .failure(error)
            }
            pool.shutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// The tools a server offers, starting it if needed.
    ///
    /// - Parameter server: The server's configured name.
    /// - Returns: One ``MCPTool`` per tool in `tools/list`, in the server's order, named as the server names them.
    /// - Throws: ``MCPError`` naming the server and the cause (not configured, could not start, died, not
    ///   restarted), with its stderr tail.
    public func tools(of server: String) async throws -> [MCPTool] {
        try await running(server).tools.map { MCPTool(definition: $0, server: server, pool: self) }
    }

    /// What a server said about itself when it started, starting it if needed.
    ///
    /// - Throws: ``MCPError``, as ``tools(of:)`` does.
    public func info(of server: String) async throws -> MCPServerInfo {
        try await running(server).info
    }

    /// Calls a tool; every failure becomes an error result naming the server and the tool.
    func call(_ tool: String, of server: String, arguments: JSONValue) async throws -> ToolOutput {
        do {
            let connection = try await running(server).connection
            let response = try await connection.request(
                "tools/call",
                params: ["name": .string(tool), "arguments": arguments.objectValue == nil ? [:] : arguments],
                timeout: configurations[server]?.callTimeout ?? .seconds(60))
            return MCPToolResult.output(of: response, server: server, tool: tool)
        } catch let error as MCPError {
            return .error("MCP server '\(server)', tool '\(tool)': " + error.detail)
        }
    }
}
