import ArgumentParser
import Foundation
import ServiceLifecycle
import TrellisConfig
import TrellisCore
import TrellisRuntime
import TrellisServer

extension Trellis {
    /// `trellis serve`: the workspace's agents over HTTP, with durable runs.
    struct Serve: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
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

        @Option(help: "How many runs this process runs at once (0: serve the API only; workers run them).")
        var concurrency = 64

        @OptionGroup var runner: RunnerOptions

        @Option(help: "The most runs the queue holds; more get 429 with Retry-After.")
        var queueLimit = 10_000

        @Option(help: ArgumentHelp("The largest request body, in bytes.", valueName: "bytes"))
        var maxBody = 4 << 20

        @Option(help: "How many times a run cut short by a crash is started again before it fails.")
        var maxAttempts = 3

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
            let workerConfiguration = try runner.workerSettings(concurrency: concurrency)
            let logger = try runner.makeLogger(label: "trellis.serve")
            let loaded = try workspace.load()
            try runner.checkAgentLimits(
                workerConfiguration.agentLimits, agents: loaded.agents.map(\.definition.name).sorted())
            let metrics = ServerMetrics()
            try await runner.withRuntime(
                workspace: loaded, root: workspace.root, worker: workerConfiguration, metrics: metrics, logger: logger,
                command: "serve", address: "\(host):\(port)"
            ) { runtime in
                let agents = loaded.agents.count
                let app = TrellisServer.application(
                    configuration: configuration, host: runtime.host, store: runtime.stores.runs, hub: runtime.hub,
                    worker: runtime.worker, metrics: metrics, logger: logger
                ) { port in
                    Output.err(
                        "trellis serve: listening on http://\(configuration.host):\(port) (\(agents) agent(s), "
                            + "store \(runtime.stores.description), concurrency \(workerConfiguration.concurrency))\n")
                }
                // The worker runs as one of the application's services.
                return [.init(service: app)]
            }
        }
    }
}
