import Logging
import TrellisConfig
import TrellisCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a server's process reports to its pool.
enum MCPServerEvent: Sendable {
    /// The handshake succeeded; the server takes calls.
    case started(MCPRunningServer)
    /// The server could not start, or it died after starting.
    case failed(MCPError)
}

/// Runs one server process for one ``MCPConnection``: spawn, handshake, serve until it ends or is stopped, tear down.
///
/// The process runs in its own process group with stdin, stdout and stderr as pipes (``PipedChild``). Requests are
/// written to stdin by their callers, and a task writes what a full pipe could not take (``MCPOutbox``); two kept
/// threads (``DedicatedThread``) read stdout, whose lines go straight to the connection and which times requests
/// out, and stderr, into the connection's tail (and the debug log).
/// When stdout ends the process is given `stopGrace` to exit, and every request still waiting fails with its
/// exit status and stderr tail. Teardown closes stdin, waits `stopGrace`, then sends SIGTERM to the group, waits
/// `stopGrace` again and sends SIGKILL; whatever is left in the group gets SIGKILL at the end, and so does any
/// descendant that left the group, found by its ``SpawnMark``.
struct MCPServerProcess: Sendable {
    /// The protocol version Trellis asks for.
    static let protocolVersion = "2025-11-25"
    /// The version Trellis gives in `clientInfo`.
    static let clientVersion = TrellisVersion.current
    /// The longest stdout line accepted.
    static let maxLineBytes = 64 * 1024 * 1024

    let configuration: MCPServerSettings
    /// The server's whole environment.
    let environment: [String: String]
    let connection: MCPConnection
    let stopGrace: Duration
    let logger: Logger
    /// Hears about the start (or the failure to start) as soon as it is known, and about a death once its exit
    /// status is known, before the calls in flight fail, so that a caller retrying at once gets a new process.
    let report: @Sendable (MCPServerEvent) -> Void

    private var server: String { configuration.name }

    /// Runs the server until it dies or the connection is stopped.
    func run() async {
        let deadline = ContinuousClock.now + configuration.startupTimeout.capped
        let mark = SpawnMark.next()
        ProcessWatchdog.start()
        _ = BrokenPipe.ignore
        let child: PipedChild
        let wake: (read: Int32, write: Int32)
        do {
            (child, wake) = try spawnWithWakePipe(mark: mark)
        } catch {
            let failure = MCPError.startFailed(server, "the server could not be started: \(error.reason)")
            report(.failed(failure))
            connection.fail(failure)
            return
        }
        let pid = child.pid
        logger.debug("MCP server started", metadata: ["mcp.server": "\(server)", "mcp.pid": "\(pid)"])
        connection.setWakeDescriptor(wake.write)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connection.outbox.pump(into: child.input, logger: logger, server: server) }
            group.addTask { await pumpStdout(child.output, wake: wake.read, pid: pid) }
            group.addTask { await drainStderr(child.error) }
            await serve(pid: pid, deadline: deadline)
            await tearDown(pid: pid)
            ProcessSweep.killMarked(mark, after: pid)
        }
        connection.setWakeDescriptor(-1)
        close(wake.read)
        close(wake.write)
        // Sent SIGKILL by the teardown, so its end is near; waited for off the pool all the same.
        _ = await DedicatedThread.run { ProcessGroupControl.reap(pid) }
    }

    /// Makes the pipe that wakes the stdout reader when a request is due before its next look at the deadlines
    /// (both ends non-blocking), then starts the server.
    private func spawnWithWakePipe(
        mark: String
    ) throws(PipedChild.SpawnError) -> (PipedChild, wake: (read: Int32, write: Int32)) {
        guard let wake = LibcExtensions.closeOnExecPipe() else {
            throw PipedChild.SpawnError(reason: "cannot create a pipe: \(PipedChild.text(ofError: errno))")
        }
        _ = fcntl(wake.read, F_SETFL, O_NONBLOCK)
        _ = fcntl(wake.write, F_SETFL, O_NONBLOCK)
        do {
            return (try spawn(mark: mark), wake)
        } catch {
            close(wake.read)
            close(wake.write)
            throw error
        }
    }

    /// Starts the server's process in its own group, with the mark in its environment.
    private func spawn(mark: String) throws(PipedChild.SpawnError) -> PipedChild {
        var variables = environment
        variables[SpawnMark.variable] = mark
        var command = configuration.command
        // A relative path names a file in the server's folder, where it is started.
        if command.utf8.contains(UInt8(ascii: "/")), !command.hasPrefix("/"),
            let folder = configuration.workingDirectory
        {
            command = folder + "/" + command
        }
        guard let executable = ExecutablePlugin.resolve(command, path: variables["PATH"]) else {
            throw PipedChild.SpawnError(reason: "'\(configuration.command)' was not found or cannot be executed")
        }
        return try PipedChild.spawn(
            executable: executable, arguments: configuration.arguments, environment: variables,
            workingDirectory: configuration.workingDirectory ?? ".")
    }

    // MARK: - Lifecycle

    /// Performs the handshake and reports it, then waits until the server ends (reported as a failure) or is
    /// stopped (not reported).
    private func serve(pid: pid_t, deadline: ContinuousClock.Instant) async {
        let running: MCPRunningServer
        do {
            running = try await MCPHandshake(configuration: configuration, connection: connection, deadline: deadline)
                .perform(processID: pid)
        } catch {
            if connection.isStopping { return }
            report(.failed(error))
            connection.fail(error)
            return
        }
        let version = running.info.protocolVersion
        logger.debug("MCP server ready", metadata: ["mcp.server": "\(server)", "mcp.protocol": "\(version)"])
        if version != Self.protocolVersion {
            logger.info(
                "MCP server answered protocol \(version) instead of \(Self.protocolVersion)",
                metadata: ["mcp.server": "\(server)"])
        }
        connection.markStarted()
        report(.started(running))
        await connection.waitUntilEndedOrStopped()
        if connection.isStopping { return }
        // Usually already reported by the stdout reader; the pool ignores a second report of the same death.
        report(.failed(connection.failure ?? .exited(server, "the server exited", stderrTail: connection.stderr.text)))
    }

    /// Closes stdin, then escalates to SIGTERM and SIGKILL of the group, each after `stopGrace`.
    private func tearDown(pid: pid_t) async {
        connection.finishInput()
        if await ProcessGroupControl.waitForExit(of: pid, within: stopGrace) == nil {
            logger.debug("MCP server did not exit after stdin closed; SIGTERM", metadata: ["mcp.server": "\(server)"])
            ProcessGroupControl.signalGroup(pid, SIGTERM)
            if await ProcessGroupControl.waitForExit(of: pid, within: stopGrace) == nil {
                ProcessGroupControl.signalGroup(pid, SIGKILL)
            }
        }
        ProcessGroupControl.signalGroup(pid, SIGKILL)
    }
}
