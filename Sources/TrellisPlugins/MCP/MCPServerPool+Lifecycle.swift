import Logging
import Synchronization
import TrellisConfig
import TrellisCore

extension MCPServerPool {
    /// The maximum number of failures (start-up or death) after which a server is not started again.
    static let maxFailures = 2

    /// The running server, starting it (or waiting for its start) if needed.
    func running(_ server: String) async throws -> MCPRunningServer {
        guard let configuration = configurations[server] else {
            throw MCPError.unknownServer(server, known: Array(configurations.keys))
        }
        return try await withCheckedThrowingContinuation { continuation in
            enum Action {
                case resume(MCPRunningServer)
                case fail(MCPError)
                case launch(MCPConnection)
                case wait
            }
            let action = state.withLock { state -> Action in
                if state.closed { return .fail(.closed(server)) }
                var entry = state.servers[server, default: .init()]
                defer { state.servers[server] = entry }
                switch entry.phase {
                case .running(let running):
                    return .resume(running)
                case .starting(let connection, var waiters):
                    waiters.append(continuation)
                    entry.phase = .starting(connection, waiters: waiters)
                    return .wait
                case .failed(let error):
                    return .fail(.notRestarted(after: error))
                case .idle:
                    let connection = MCPConnection(server: server, logger: logger)
                    entry.phase = .starting(connection, waiters: [continuation])
                    return .launch(connection)
                }
            }
            switch action {
            case .resume(let running): continuation.resume(returning: running)
            case .fail(let error): continuation.resume(throwing: error)
            case .wait: break
            case .launch(let connection):
                logger.debug("starting MCP server", metadata: ["mcp.server": "\(server)"])
                // Dropped if the pool closed in between; `shutdown` has then failed the waiters already.
                launches.yield(MCPServerLaunch(configuration: configuration, connection: connection))
            }
        }
    }

    /// Runs each launched server in a child task until the pool closes and every server has stopped.
    func supervise(_ requests: AsyncStream<MCPServerLaunch>) async {
        await withDiscardingTaskGroup { group in
            for await launch in requests {
                group.addTask {
                    let process = MCPServerProcess(
                        configuration: launch.configuration,
                        environment: self.environment.merging(launch.configuration.environment) { $1 },
                        connection: launch.connection, stopGrace: self.stopGrace, logger: self.logger,
                        report: { event in self.handle(event, of: launch) })
                    await process.run()
                }
            }
        }
    }

    /// Moves a server on when its process started, failed to start or died; a report about a process the server
    /// has already moved on from is ignored.
    private func handle(_ event: MCPServerEvent, of launch: MCPServerLaunch) {
        typealias Waiter = CheckedContinuation<MCPRunningServer, any Error>
        let server = launch.configuration.name
        let waiters = state.withLock { state -> [Waiter]? in
            guard var entry = state.servers[server], entry.phase.connection === launch.connection else { return nil }
            defer { state.servers[server] = entry }
            var waiters: [Waiter] = []
            if case .starting(_, let starting) = entry.phase { waiters = starting }
            switch event {
            case .started(let running):
                entry.phase = .running(running)
            case .failed(let error):
                entry.failures += 1
                entry.phase = entry.failures >= Self.maxFailures ? .failed(error) : .idle
            }
            return waiters
        }
        guard let waiters else { return }
        switch event {
        case .started(let running):
            for waiter in waiters { waiter.resume(returning: running) }
        case .failed(let error):
            logger.notice("\(error)", metadata: ["mcp.server": "\(server)"])
            for waiter in waiters { waiter.resume(throwing: error) }
        }
    }

    /// Closes the pool: no more starts, waiting starts fail, every server is asked to stop.
    func shutdown() {
        let (connections, waiters) = state.withLock { state in
            state.closed = true
            var connections: [(String, MCPConnection)] = []
            var waiters: [(String, CheckedContinuation<MCPRunningServer, any Error>)] = []
            for (name, var entry) in state.servers {
                if let connection = entry.phase.connection { connections.append((name, connection)) }
                if case .starting(_, let starting) = entry.phase { waiters += starting.map { (name, $0) } }
                entry.phase = .idle
                state.servers[name] = entry
            }
            return (connections, waiters)
        }
        launches.finish()
        for (name, connection) in connections { connection.stop(.closed(name)) }
        for (name, waiter) in waiters { waiter.resume(throwing: MCPError.closed(name)) }
    }
}
