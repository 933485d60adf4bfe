import ArgumentParser
import Foundation
import ServiceLifecycle
import TrellisConfig
import TrellisCore
import TrellisRuntime

extension Trellis {
    /// `trellis worker`: runs the queued runs of a store, without serving HTTP.
    struct Worker: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "worker",
            abstract: "Run the queued runs of a run store, without serving HTTP (scale-out beside trellis serve).",
            discussion: """
                Takes runs from the store that `trellis serve` queues them in: a PostgreSQL URL for workers on any \
                number of machines (run the API alone with `trellis serve --concurrency 0`), or the workspace's \
                SQLite file on one machine. Each run is checkpointed at every step; a run whose worker died is \
                taken over by another once its lease runs out, or at once by a worker on the same host. SIGTERM or \
                Ctrl-C drains running runs for --drain-grace seconds, then leaves the rest resumable. \
                docs/deploy.md shows a deployment.
                """)

        static let handlesSignals = true

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "How many runs this process runs at once.")
        var concurrency = 64

        @OptionGroup var runner: RunnerOptions

        func run() async throws {
            guard concurrency > 0 else {
                throw CLIFailure.invalid("--concurrency must be 1 or more for a worker", code: .invalidUsage)
            }
            let settings = try runner.workerSettings(concurrency: concurrency)
            let logger = try runner.makeLogger(label: "trellis.worker")
            let loaded = try workspace.load()
            try runner.checkAgentLimits(settings.agentLimits, agents: loaded.agents.map(\.definition.name).sorted())
            try await runner.withRuntime(
                workspace: loaded, root: workspace.root, worker: settings, metrics: nil, logger: logger,
                command: "worker"
            ) { runtime in
                Output.err(
                    "trellis worker: running runs from \(runtime.stores.description) as \(settings.name) "
                        + "(\(loaded.agents.count) agent(s), concurrency \(settings.concurrency))\n")
                return [.init(service: runtime.worker)]
            }
        }
    }
}
