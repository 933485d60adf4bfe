/// A failure of an MCP server: it could not start, died, timed out or broke the protocol.
///
/// The text names the server and the cause, and ends with the server's stderr tail when it wrote any:
///
/// ```text
/// MCP server 'time': the server did not start within 10 s (no answer to initialize)
/// stderr:
/// Traceback (most recent call last): ...
/// ```
public struct MCPError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case unknownServer, startFailed, exited, notRestarted, timeout, protocolViolation, closed
    }

    private let code: Code
    /// The server's configured name.
    public var server: String
    /// What went wrong, in one line.
    public var message: String
    /// The last lines the server wrote to stderr, trimmed; empty when it wrote nothing.
    public var stderrTail: String

    private init(_ code: Code, server: String, message: String, stderrTail: String = "") {
        self.code = code
        self.server = server
        self.message = message
        self.stderrTail = stderrTail
    }

    /// No server of that name is configured.
    static func unknownServer(_ server: String, known: [String]) -> MCPError {
        let list = known.isEmpty ? "none" : known.sorted().joined(separator: ", ")
        return MCPError(.unknownServer, server: server, message: "not configured; configured servers: \(list)")
    }

    /// Spawning, `initialize` or `tools/list` failed.
    static func startFailed(_ server: String, _ message: String, stderrTail: String = "") -> MCPError {
        MCPError(.startFailed, server: server, message: message, stderrTail: stderrTail)
    }

    /// The server's process ended while it was in use.
    static func exited(_ server: String, _ message: String, stderrTail: String) -> MCPError {
        MCPError(.exited, server: server, message: message, stderrTail: stderrTail)
    }

    /// The server failed twice and is not started again.
    static func notRestarted(after last: MCPError) -> MCPError {
        MCPError(
            .notRestarted, server: last.server,
            message: "the server is not restarted after failing twice; last failure: \(last.message)",
            stderrTail: last.stderrTail)
    }

    /// A request got no answer in time.
    static func timeout(_ server: String, _ message: String) -> MCPError {
        MCPError(.timeout, server: server, message: message)
    }

    /// The server sent something that is not JSON-RPC as MCP defines it.
    static func protocolViolation(_ server: String, _ message: String) -> MCPError {
        MCPError(.protocolViolation, server: server, message: message)
    }

    /// The pool was closed.
    static func closed(_ server: String) -> MCPError {
        MCPError(.closed, server: server, message: "the MCP server pool is closed")
    }

    /// The same error with the server's stderr tail attached.
    func withStderr(_ tail: String) -> MCPError {
        MCPError(code, server: server, message: message, stderrTail: tail)
    }

    /// Whether a request got no answer in time.
    var isTimeout: Bool { code == .timeout }

    /// Whether the server's process ended.
    var isExit: Bool { code == .exited }

    /// A stable, value-free summary for metrics.
    public var shortDescription: String { "mcp.\(code.rawValue)" }

    /// `MCP server 'NAME': MESSAGE`, then the stderr tail on following lines.
    public var description: String { "MCP server '\(server)': " + detail }

    /// The message and the stderr tail, without the server's name.
    var detail: String { stderrTail.isEmpty ? message : message + "\nstderr:\n" + stderrTail }

    public static func == (lhs: MCPError, rhs: MCPError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
