#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run of a plugin program: spawn it in its own process group (``PipedChild``), write the request and close
/// stdin, drain stdout and stderr together, and stop the whole group on the deadline, on an oversized stdout, on
/// cancellation and, whatever happened, when the call is over; then kill any descendant that left the group, found
/// by its ``SpawnMark`` (``ProcessSweep``). ``ProcessWatchdog`` does the same if Trellis itself is killed.
///
/// The exchange is one `poll` loop on a thread of its own (``PluginExchange``), not a task per stream: a call
/// costs about what a bare `posix_spawn` with blocking pipes costs (docs/benchmarks.md).
struct PluginProcess: Sendable {
    /// The program, absolute.
    var executable: String
    var arguments: [String]
    /// The complete environment of the child.
    var environment: [String: String]
    var workingDirectory: String
    var timeout: Duration
    /// Time between SIGTERM and SIGKILL when the deadline passes.
    var killGrace: Duration
    var maxOutputBytes: Int

    /// How much of stderr is kept (its end).
    static let stderrKept = 64 * 1024

    /// What happened.
    struct Outcome: Sendable {
        var stdout: [UInt8] = []
        /// The last ``PluginProcess/stderrKept`` bytes of stderr.
        var stderr: [UInt8] = []
        var status: ProcessGroupControl.Exit = .exited(0)
        /// The deadline passed and the group was stopped.
        var timedOut = false
        /// Stdout went past the cap and the group was killed.
        var overflowed = false
    }

    /// The program could not be started; `reason` is for people.
    struct LaunchFailure: Error, Sendable {
        var reason: String
    }

    /// Runs the program once with `input` on stdin.
    ///
    /// - Throws: ``LaunchFailure`` when it cannot be started, `CancellationError` when the calling task was
    ///   cancelled (the group is killed first).
    func run(input: [UInt8]) async throws -> Outcome {
        _ = BrokenPipe.ignore
        try Task.checkCancellation()
        let deadline = ContinuousClock.now.advanced(by: timeout)
        ProcessWatchdog.start()
        // The group kill misses descendants that left the group (setsid); they carry the mark and are swept
        // when the exchange ends.
        let mark = SpawnMark.next()
        var marked = environment
        marked[SpawnMark.variable] = mark
        let childEnvironment = marked
        guard let cancellation = LibcExtensions.closeOnExecPipe() else {
            throw LaunchFailure(reason: "cannot create a pipe: \(PipedChild.text(ofError: errno))")
        }
        defer {
            close(cancellation.read)
            close(cancellation.write)
        }
        let child: PipedChild
        do {
            child = try PipedChild.spawn(
                executable: executable, arguments: arguments, environment: childEnvironment,
                workingDirectory: workingDirectory)
        } catch {
            throw LaunchFailure(reason: error.reason)
        }
        let exchange = PluginExchange(
            child: child, input: input, deadline: deadline, killGrace: killGrace, maxOutputBytes: maxOutputBytes,
            mark: mark, cancellation: cancellation.read)
        let exchanged = await withTaskCancellationHandler {
            await DedicatedThread.run { exchange.run() }
        } onCancel: {
            var byte: UInt8 = 1
            _ = write(cancellation.write, &byte, 1)
        }
        if exchanged.cancelled { throw CancellationError() }
        return exchanged.outcome
    }
}
