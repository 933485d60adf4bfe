import ArgumentParser
import Foundation
import UnixSignals

/// A `trellis` command: asynchronous, and handed to the task that runs it so that a signal can stop it.
protocol TrellisCommand: AsyncParsableCommand, Sendable {
    /// Whether the command handles SIGINT, SIGTERM and SIGHUP itself (`trellis chat`: Ctrl-C cancels a turn).
    static var handlesSignals: Bool { get }
}

extension TrellisCommand {
    static var handlesSignals: Bool { false }
}

/// Stops a command cleanly on SIGINT, SIGTERM or SIGHUP.
///
/// Plugins and MCP servers run in process groups of their own, so a Ctrl-C on the terminal does not reach them
/// and the default action (the process just ends) would leave them running. Instead the first signal cancels
/// the command: plugin groups are killed, servers are stopped, a run ends with `cancelled` and still prints its
/// result and transcript. The process then exits with 128 + the signal number, as a shell expects. A second
/// signal exits at once.
enum Interruption {
    /// Runs `command` until it ends or a signal stops it.
    ///
    /// - Throws: What `command` throws; after a signal, `ExitCode(128 + signal)` instead.
    static func run(_ command: any TrellisCommand) async throws {
        if type(of: command).handlesSignals {
            var running = command
            try await running.run()
            return
        }
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
        try await withThrowingTaskGroup(of: UnixSignal?.self) { group in
            group.addTask {
                var running = command
                try await running.run()
                return nil
            }
            group.addTask {
                var iterator = signals.makeAsyncIterator()
                return await iterator.next()
            }
            // The command's end (its error ends the group, and the watcher with it), or the first signal.
            guard case .some(.some(let received)) = try await group.next() else {
                group.cancelAll()
                return
            }
            // From now on the default action applies: a second signal ends the process at once.
            for trapped in [SIGINT, SIGTERM, SIGHUP] { signal(trapped, SIG_DFL) }
            Output.err("\ntrellis: \(received), stopping tools and servers (again to exit now)\n")
            group.cancelAll()
            // What the command throws while it winds down (its cancellation) is not news: the signal is.
            while (try? await group.next()) != nil {}
            throw ExitCode(128 + received.rawValue)
        }
    }
}
