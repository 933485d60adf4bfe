import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// One run of a plugin program: spawn it in its own process group, write the request and close stdin, drain
/// stdout and stderr together, and stop the whole group on the deadline, on an oversized stdout, on cancellation
/// and, whatever happened, when the call is over; then kill any descendant that left the group, found by its
/// ``SpawnMark`` (``ProcessSweep``). ``ProcessWatchdog`` does the same if Trellis itself is killed.
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
        var status: TerminationStatus = .exited(0)
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
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var options = PlatformOptions()
        options.processGroupID = 0
        // Used by Subprocess itself when the body throws or the task is cancelled mid-spawn.
        options.teardownSequence = [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)]
        // The group kill misses descendants that left the group (setsid); they carry the mark and are swept
        // at the end of `drive`.
        let mark = SpawnMark.next()
        ProcessWatchdog.start()
        var environment = environment
        environment[SpawnMark.variable] = mark
        var outcome: Outcome
        do {
            let result = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments),
                environment: .custom(
                    Dictionary(
                        uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
                workingDirectory: FilePath(workingDirectory), platformOptions: options,
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                await drive(execution, input: input, deadline: deadline, mark: mark)
            }
            outcome = result.closureResult
            outcome.status = result.terminationStatus
        } catch let error as SubprocessError {
            try Task.checkCancellation()
            throw LaunchFailure(reason: "\(error)")
        }
        try Task.checkCancellation()
        return outcome
    }

    private enum Event: Sendable {
        case stdout([UInt8], overflowed: Bool)
        case stderr([UInt8])
        case deadline(passed: Bool)
        case inputDone
    }

    private func drive(
        _ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>, input: [UInt8],
        deadline: ContinuousClock.Instant, mark: String
    ) async -> Outcome {
        let group = execution.processIdentifier.value
        var outcome = Outcome()
        let grace = killGrace
        await withTaskCancellationHandler {
            await collect(execution, input: input, deadline: deadline, into: &outcome)
            guard !outcome.timedOut, !outcome.overflowed else { return }
            // The streams end when the last holder closes them, which can be just before the leader exits (a
            // shell whose last command wrote the reply): give the leader until the deadline to exit on its own, so
            // a good reply is not turned into "killed by SIGKILL". One that closed its output but runs on is
            // stopped like any other that passes its deadline.
            if await !Self.waitForExit(of: group, until: deadline) {
                kill(-group, SIGTERM)
                _ = await Self.waitForExit(of: group, until: .now + grace)
                outcome.timedOut = !Task.isCancelled
            }
        } onCancel: {
            kill(-group, SIGKILL)
        }
        // The leader is not reaped yet (WNOWAIT above), so the group id cannot have been reused.
        kill(-group, SIGKILL)
        ProcessSweep.killMarked(mark, after: group)
        return outcome
    }

    /// Writes the input, drains both streams and watches the deadline; returns when both streams have ended.
    private func collect(
        _ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>, input: [UInt8],
        deadline: ContinuousClock.Instant, into outcome: inout Outcome
    ) async {
        let group = execution.processIdentifier.value
        let grace = killGrace
        let cap = maxOutputBytes
        await withTaskGroup(of: Event.self) { tasks in
            tasks.addTask {
                // A plugin that never reads stdin must not block us: EPIPE is fine.
                let writer = execution.standardInputWriter
                _ = try? await writer.write(input)
                try? await writer.finish()
                return .inputDone
            }
            tasks.addTask {
                var bytes: [UInt8] = []
                do {
                    for try await chunk in execution.standardOutput {
                        chunk.withUnsafeBytes { bytes.append(contentsOf: $0) }
                        if bytes.count > cap {
                            kill(-group, SIGKILL)
                            return .stdout(Array(bytes.prefix(cap)), overflowed: true)
                        }
                    }
                } catch {}
                return .stdout(bytes, overflowed: false)
            }
            tasks.addTask {
                var tail: [UInt8] = []
                do {
                    for try await chunk in execution.standardError {
                        chunk.withUnsafeBytes { tail.append(contentsOf: $0) }
                        if tail.count > 2 * Self.stderrKept { tail.removeFirst(tail.count - Self.stderrKept) }
                    }
                } catch {}
                return .stderr(Array(tail.suffix(Self.stderrKept)))
            }
            tasks.addTask {
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                } catch {
                    // The streams have ended (the group is stopped below, once the leader has exited), or the
                    // call was cancelled (the cancellation handler has killed the group).
                    return .deadline(passed: false)
                }
                kill(-group, SIGTERM)
                try? await Task.sleep(for: grace)
                kill(-group, SIGKILL)
                return .deadline(passed: true)
            }
            var openStreams = 2
            for await event in tasks {
                switch event {
                case .stdout(let bytes, let overflowed):
                    outcome.stdout = bytes
                    outcome.overflowed = overflowed
                    openStreams -= 1
                case .stderr(let bytes):
                    outcome.stderr = bytes
                    openStreams -= 1
                case .deadline(let passed): outcome.timedOut = passed
                case .inputDone: break
                }
                if openStreams == 0 { tasks.cancelAll() }
            }
        }
    }

    /// Waits, without reaping it, until a child has exited, the deadline passes or the task is cancelled.
    ///
    /// - Returns: Whether the child has exited (or there is nothing left to wait for).
    private static func waitForExit(of pid: pid_t, until deadline: ContinuousClock.Instant) async -> Bool {
        var pause = Duration.microseconds(50)
        while !Task.isCancelled {
            var info = siginfo_t()
            let status = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
            // Exited (the child's pid is filled in), or nothing to wait for any more.
            if status != 0 || info._sifields._sigchld.si_pid == pid { return true }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(5))
        }
        return false
    }
}
