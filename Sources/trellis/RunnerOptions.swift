import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TrellisConfig
import TrellisPlugins
import TrellisPostgres
import TrellisProviders
import TrellisRuntime
import TrellisServer
import UnixSignals

/// The options `trellis serve` and `trellis worker` share: the run store, how many runs the process runs, and its
/// log lines.
struct RunnerOptions: ParsableArguments, Sendable {
    @Option(
        help: ArgumentHelp(
            "The run store: a SQLite file (default .trellis/trellis.db), or postgres://USER:PASSWORD@HOST:PORT/DB "
                + "(the PG* variables fill what the URL leaves out; sslmode sets TLS).",
            valueName: "path|url"))
    var store: String?

    @Option(
        name: .customLong("agent-concurrency"),
        help: ArgumentHelp("The most runs of one agent at once in this process (repeatable).", valueName: "agent=n"))
    var agentConcurrency: [String] = []

    @Option(help: ArgumentHelp("How long running runs may finish after SIGTERM.", valueName: "seconds"))
    var drainGrace = 30.0

    @Option(
        help: ArgumentHelp(
            "How long a worker's claim on a run lasts without a heartbeat; past it another worker takes the run "
                + "over.", valueName: "seconds"))
    var lease = 30.0

    @Option(help: ArgumentHelp("How log lines are written to standard error: text or json.", valueName: "format"))
    var logFormat = "text"

    @Option(
        help: ArgumentHelp(
            "The lowest level logged (trace, debug, info, notice, warning, error).", valueName: "level"))
    var logLevel = "info"

    /// The worker's settings, with `concurrency` runs at once.
    func workerSettings(concurrency: Int) throws -> RunWorker.Configuration {
        guard concurrency >= 0 else {
            throw CLIFailure.invalid("--concurrency must be 0 or more", code: .invalidUsage)
        }
        guard drainGrace >= 0 else {
            throw CLIFailure.invalid("--drain-grace must be 0 or more", code: .invalidUsage)
        }
        guard lease >= 1 else {
            throw CLIFailure.invalid("--lease must be at least 1 second", code: .invalidUsage)
        }
        var limits: [String: Int] = [:]
        for item in agentConcurrency {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let limit = Int(parts[1]), limit > 0 else {
                throw CLIFailure.invalid(
                    "--agent-concurrency '\(item)': write AGENT=N with N at least 1", code: .invalidUsage)
            }
            limits[parts[0]] = limit
        }
        let lease = Duration.milliseconds(Int(lease * 1000))
        return RunWorker.Configuration(
            concurrency: concurrency, agentLimits: limits, lease: lease, heartbeat: lease / 3,
            drainGrace: .milliseconds(Int(drainGrace * 1000)))
    }

    /// Refuses an `--agent-concurrency` for an agent the workspace does not have.
    func checkAgentLimits(_ limits: [String: Int], agents names: [String]) throws {
        for agent in limits.keys.sorted() where !names.contains(agent) {
            throw CLIFailure.invalid(
                "--agent-concurrency: no agent '\(agent)'\(Suggestions.hint(for: agent, in: names)); agents: "
                    + names.joined(separator: ", "),
                code: .unknownAgent)
        }
    }

    /// The process's logger, as `--log-format` and `--log-level` say.
    func makeLogger(label: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CLIFailure.invalid(
                "--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical",
                code: .invalidUsage)
        }
        switch logFormat {
        case "text":
            var logger = Logger(label: label)
            logger.logLevel = level
            return logger
        case "json":
            return Logger(label: label) { label in JSONLogHandler(label: label, level: level) }
        default:
            throw CLIFailure.invalid("--log-format must be text or json, not '\(logFormat)'", code: .invalidUsage)
        }
    }

    /// The stores a server or worker runs with.
    struct Stores {
        /// The runs.
        var runs: any RunStore
        /// The local sessions; `nil` with PostgreSQL, where a session's conversation is read from its runs, so
        /// any machine can run its next run.
        var sessions: SessionStore?
        /// The store as the start-up line names it (a URL without its password).
        var description: String
    }

    /// Opens the store `--store` names (in the workspace by default) and calls `body` with it; it closes when
    /// `body` returns.
    func withStores(workspace root: String, logger: Logger, _ body: (Stores) async throws -> Void) async throws {
        if let store, PostgresLocation.isURL(store) {
            let location: PostgresLocation
            do {
                location = try PostgresLocation(url: store)
            } catch {
                throw CLIFailure.invalid("\(error)", code: .invalidUsage)
            }
            do {
                try await PostgresRunStore.withStore(location, logger: logger) { runs in
                    try await body(Stores(runs: runs, sessions: nil, description: location.description))
                }
            } catch let error as PostgresStoreError {
                throw CLIFailure(message: "\(error)", exitCode: 1, code: .setupFailed)
            } catch let error as RunStoreError {
                throw CLIFailure(message: "\(error)", exitCode: 1, code: .setupFailed)
            }
            return
        }
        let path = store ?? SessionStore.path(inWorkspace: WorkspaceOptions.absolute(root))
        let runs: SQLiteRunStore
        let sessions: SessionStore
        do {
            runs = try await SQLiteRunStore.open(path: path)
            sessions = try await SessionStore.open(path: path)
        } catch {
            throw CLIFailure(message: "\(error)", exitCode: 1, code: .setupFailed)
        }
        do {
            try await body(Stores(runs: runs, sessions: sessions, description: path))
        } catch {
            await runs.close()
            await sessions.close()
            throw error
        }
        await runs.close()
        await sessions.close()
    }

    /// What a server or a worker runs runs with.
    struct Runtime {
        /// The stores.
        var stores: Stores
        /// The agents.
        var host: WorkspaceHost
        /// Where followers hear of events.
        var hub: RunEventHub
        /// The worker (it takes no runs with concurrency 0).
        var worker: RunWorker
    }

    /// Opens the stores and runs a service group of the trace exporter (``Telemetry``), the MCP pool, the store
    /// watcher and the services `services` returns (the HTTP application, or the worker alone), until SIGTERM or
    /// SIGINT drains it.
    ///
    /// - Parameters:
    ///   - command: `serve` or `worker`, for error messages.
    ///   - address: The address the services listen on, for the error when it is taken.
    func withRuntime(
        workspace loaded: Workspace, root: String, worker configuration: RunWorker.Configuration,
        metrics: (any RunMetrics)?, logger: Logger, command: String, address: String? = nil,
        _ services: (Runtime) throws -> [ServiceGroupConfiguration.ServiceConfiguration]
    ) async throws {
        let telemetry = try Telemetry.service(name: "trellis-\(command)")
        try await withStores(workspace: root, logger: logger) { stores in
            let pool = MCPServerPool.service(loaded.resolvedMCPServers, logger: logger)
            do {
                try await HTTPClient.withTrellis(connectionsPerHost: max(8, configuration.concurrency)) { client in
                    try await LocalModelServers.withServers(client: client) { local in
                        let host = WorkspaceHost(workspace: loaded, client: client, pool: pool.pool, localHost: local)
                        let hub = RunEventHub()
                        let worker = RunWorker(
                            store: stores.runs, host: host, hub: hub, sessions: stores.sessions,
                            configuration: configuration, metrics: metrics, logger: logger)
                        let runtime = Runtime(stores: stores, host: host, hub: hub, worker: worker)
                        let watcher = RunStoreWatcher(store: stores.runs, worker: worker, hub: hub, logger: logger)
                        let group = ServiceGroup(
                            configuration: ServiceGroupConfiguration(
                                services: (telemetry.map { [.init(service: $0)] } ?? [])
                                    + [.init(service: pool), .init(service: watcher)] + (try services(runtime)),
                                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                        try await group.run()
                    }
                }
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw CLIFailure(
                    message:
                        "trellis \(command): \(address ?? "the address") is already in use by another process; "
                        + "choose another --port",
                    exitCode: 1, code: .setupFailed)
            } catch let error as CLIFailure {
                throw error
            } catch {
                throw CLIFailure(message: "trellis \(command): \(error)", exitCode: 1, code: .setupFailed)
            }
        }
    }
}
