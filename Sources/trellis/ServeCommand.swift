import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders
import TrellisRuntime
import TrellisServer
import UnixSignals

extension Trellis {
    /// `trellis serve`: the workspace's agents over HTTP, with durable runs.
    struct Serve: TrellisCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the workspace's agents over HTTP: an OpenAI-compatible endpoint and a runs API.",
            discussion: """
                Runs are queued in the store (default .trellis/trellis.db, beside the sessions) and checkpointed at \
                every step; runs a killed server left running resume when it starts again. SIGTERM or Ctrl-C drains \
                running runs for --drain-grace seconds, then leaves the rest resumable. A non-loopback --host needs \
                TRELLIS_API_TOKENS (comma-separated bearer tokens). docs/server.md has the API.
                """)

        static let handlesSignals = true

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on (0: any free port, printed at start).")
        var port = 8080

        @Option(help: ArgumentHelp("The run store: a SQLite file (default .trellis/trellis.db).", valueName: "path"))
        var store: String?

        @Option(help: "How many runs this process runs at once (0: serve the API only).")
        var concurrency = 64

        @Option(
            name: .customLong("agent-concurrency"),
            help: ArgumentHelp("The most runs of one agent at once (repeatable).", valueName: "agent=n"))
        var agentConcurrency: [String] = []

        @Option(help: "The most runs the queue holds; more get 429 with Retry-After.")
        var queueLimit = 10_000

        @Option(help: ArgumentHelp("The largest request body, in bytes.", valueName: "bytes"))
        var maxBody = 4 << 20

        @Option(help: "How many times a run cut short by a crash is started again before it fails.")
        var maxAttempts = 3

        @Option(help: ArgumentHelp("How long running runs may finish after SIGTERM.", valueName: "seconds"))
        var drainGrace = 30.0

        @Option(help: ArgumentHelp("How log lines are written to standard error: text or json.", valueName: "format"))
        var logFormat = "text"

        @Option(
            help: ArgumentHelp(
                "The lowest level logged (trace, debug, info, notice, warning, error).", valueName: "level"))
        var logLevel = "info"

        func run() async throws {
            let configuration = ServerConfiguration(
                host: host, port: port,
                tokens: ServerConfiguration.tokens(from: ProcessInfo.processInfo.environment["TRELLIS_API_TOKENS"]),
                bodyLimit: maxBody, queueLimit: queueLimit, maxAttempts: maxAttempts)
            do {
                try configuration.validate()
            } catch {
                throw CLIFailure.invalid(error.message, code: .invalidUsage)
            }
            let workerConfiguration = try workerSettings()
            let logger = try makeLogger()
            let loaded = try workspace.load()
            let names = loaded.agents.map(\.definition.name).sorted()
            for agent in workerConfiguration.agentLimits.keys.sorted() where !names.contains(agent) {
                throw CLIFailure.invalid(
                    "--agent-concurrency: no agent '\(agent)'\(Suggestions.hint(for: agent, in: names)); agents: "
                        + names.joined(separator: ", "),
                    code: .unknownAgent)
            }
            let path = store ?? SessionStore.path(inWorkspace: WorkspaceOptions.absolute(workspace.root))
            let runs: SQLiteRunStore
            let sessions: SessionStore
            do {
                runs = try await SQLiteRunStore.open(path: path)
                sessions = try await SessionStore.open(path: path)
            } catch {
                throw CLIFailure(message: "\(error)", exitCode: 1, code: .setupFailed)
            }
            let client = HTTPClient.makeTrellis(connectionsPerHost: max(8, concurrency))
            let pool = MCPServerPool.service(loaded.resolvedMCPServers, logger: logger)
            do {
                try await LocalModelServers.withServers(client: client) { local in
                    let host = WorkspaceHost(workspace: loaded, client: client, pool: pool.pool, localHost: local)
                    let hub = RunEventHub()
                    let metrics = ServerMetrics()
                    let worker = RunWorker(
                        store: runs, host: host, hub: hub, sessions: sessions, configuration: workerConfiguration,
                        metrics: metrics, logger: logger)
                    let agents = loaded.agents.count
                    let app = TrellisServer.application(
                        configuration: configuration, host: host, store: runs, hub: hub, worker: worker,
                        metrics: metrics, logger: logger
                    ) { port in
                        Output.err(
                            "trellis serve: listening on http://\(configuration.host):\(port) (\(agents) agent(s), "
                                + "store \(path), concurrency \(workerConfiguration.concurrency))\n")
                    }
                    let group = ServiceGroup(
                        configuration: ServiceGroupConfiguration(
                            services: [.init(service: pool), .init(service: app)],
                            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                    try await group.run()
                }
            } catch {
                await close(runs, sessions, client)
                if let error = error as? IOError, error.errnoCode == EADDRINUSE {
                    throw CLIFailure(
                        message:
                            "trellis serve: \(host):\(port) is already in use by another process; choose another --port",
                        exitCode: 1, code: .setupFailed)
                }
                throw CLIFailure(message: "trellis serve: \(error)", exitCode: 1, code: .setupFailed)
            }
            await close(runs, sessions, client)
        }

        private func close(_ runs: SQLiteRunStore, _ sessions: SessionStore, _ client: HTTPClient) async {
            await runs.close()
            await sessions.close()
            try? await client.shutdown()
        }

        private func workerSettings() throws -> RunWorker.Configuration {
            guard concurrency >= 0 else {
                throw CLIFailure.invalid("--concurrency must be 0 or more", code: .invalidUsage)
            }
            guard drainGrace >= 0 else {
                throw CLIFailure.invalid("--drain-grace must be 0 or more", code: .invalidUsage)
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
            return RunWorker.Configuration(
                concurrency: concurrency, agentLimits: limits, drainGrace: .milliseconds(Int(drainGrace * 1000)))
        }

        private func makeLogger() throws -> Logger {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw CLIFailure.invalid(
                    "--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical",
                    code: .invalidUsage)
            }
            switch logFormat {
            case "text":
                var logger = Logger(label: "trellis.serve")
                logger.logLevel = level
                return logger
            case "json":
                return Logger(label: "trellis.serve") { label in JSONLogHandler(label: label, level: level) }
            default:
                throw CLIFailure.invalid("--log-format must be text or json, not '\(logFormat)'", code: .invalidUsage)
            }
        }
    }
}
