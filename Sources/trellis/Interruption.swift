import ArgumentParser
import Foundation
import Synchronization
import UnixSignals

/// A `trellis` command: asynchronous, and handed to the task that runs it so that a signal can stop it.
protocol TrellisCommand: AsyncParsableCommand, Sendable {}

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
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
        let received = FirstSignal()
        let (stops, stop) = AsyncStream.makeStream(of: UnixSignal.self)
        let outcome = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                for await signal in signals {
                    guard received.record(signal) else {
                        Output.err("\ntrellis: \(signal) again, exiting now\n")
                        Foundation.exit(128 + signal.rawValue)
                    }
                    Output.err("\ntrellis: \(signal), stopping tools and servers (again to exit now)\n")
                    stop.yield(signal)
                }
                return nil
            }
            group.addTask {
                do {
                    try await runUntilStopped(command, stops: stops)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            var outcome: Result<Void, any Error> = .success(())
            for await result in group {
                guard let result else { continue }
                outcome = result
                group.cancelAll()
            }
            return outcome
        }
        if let signal = received.signal { throw ExitCode(128 + signal.rawValue) }
        try outcome.get()
    }

    /// Runs `command`, cancelling it when a signal arrives on `stops`; returns once it has wound down.
    private static func runUntilStopped(
        _ command: any TrellisCommand, stops: AsyncStream<UnixSignal>
    ) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var running = command
                try await running.run()
                return true
            }
            group.addTask {
                for await _ in stops { return false }
                return false
            }
            // The command's own end, or a signal; either way the other task is cancelled and awaited.
            while let finished = try await group.next() {
                group.cancelAll()
                if finished { return }
            }
        }
    }
}

/// The first signal received, kept once.
private final class FirstSignal: Sendable {
    private let first = Mutex<UnixSignal?>(nil)

    /// The first signal, if one came.
    var signal: UnixSignal? { first.withLock { $0 } }

    /// Records `signal`; `true` when it is the first.
    func record(_ signal: UnixSignal) -> Bool {
        first.withLock { known in
            defer { known = known ?? signal }
            return known == nil
        }
    }
}
