import TrellisCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The blocking half of one plugin call, run on a thread of its own (``DedicatedThread``): one `poll` loop writes
/// the request, drains stdout and stderr, and watches the deadline and the cancellation pipe; then it waits for
/// the leader to exit, stops the whole group, sweeps what left it (``ProcessSweep``) and reaps the leader.
///
/// Nothing here hops between threads or tasks while the plugin runs: the call costs what the pipes cost.
struct PluginExchange: Sendable {
    let child: PipedChild
    let input: [UInt8]
    let deadline: ContinuousClock.Instant
    /// Time between SIGTERM and SIGKILL when the deadline passes.
    let killGrace: Duration
    let maxOutputBytes: Int
    /// The ``SpawnMark`` in the child's environment.
    let mark: String
    /// Readable once the call is cancelled.
    let cancellation: Int32

    /// How the exchange ended.
    struct Result: Sendable {
        var outcome: PluginProcess.Outcome
        /// The cancellation pipe woke the loop; the group was killed.
        var cancelled: Bool
    }

    /// Runs the exchange to its end; the child is reaped and its descriptors closed when it returns.
    func run() -> Result {
        var outcome = PluginProcess.Outcome()
        var streams = Streams(input: child.input, output: child.output, error: child.error)
        let exitWatch = LibcExtensions.pidfdOpen?(child.pid, 0) ?? -1
        defer {
            streams.closeAll()
            if exitWatch >= 0 { close(exitWatch) }
        }
        var cancelled = false
        // The call is over when the leader exits, even if a child it left behind holds the pipes open.
        var leaderExited = false
        var stopping: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        // Without a pidfd (Linux before 5.3), the leader's exit is checked at growing intervals, from 1 ms.
        var exitCheck: Int32 = 1
        streams.writeInput(input)

        exchange: while streams.output >= 0 || streams.error >= 0 {
            var watched = [pollfd(fd: cancellation, events: Int16(POLLIN), revents: 0)]
            for (descriptor, events) in [
                (exitWatch, POLLIN), (streams.input, POLLOUT), (streams.output, POLLIN), (streams.error, POLLIN),
            ] where descriptor >= 0 {
                watched.append(pollfd(fd: descriptor, events: Int16(events), revents: 0))
            }
            var timeout = Self.pollTimeout(until: stopping ?? deadline)
            if exitWatch < 0 {
                timeout = min(timeout, exitCheck)
                exitCheck = min(exitCheck * 2, 20)
            }
            if poll(&watched, nfds_t(watched.count), timeout) < 0, errno != EINTR { break exchange }
            if exitWatch < 0, ProcessGroupControl.exit(of: child.pid) != nil {
                leaderExited = true
                break exchange
            }
            for entry in watched where entry.revents != 0 {
                switch entry.fd {
                case cancellation:
                    cancelled = true
                    break exchange
                case exitWatch:
                    leaderExited = true
                    break exchange
                case streams.input:
                    streams.writeInput(input)
                case streams.output:
                    if !Streams.drain(&streams.output, with: &buffer, into: &outcome.stdout) { break }
                    if outcome.stdout.count > maxOutputBytes {
                        kill(-child.pid, SIGKILL)
                        outcome.stdout.removeLast(outcome.stdout.count - maxOutputBytes)
                        outcome.overflowed = true
                        break exchange
                    }
                default:
                    Streams.drain(&streams.error, with: &buffer, into: &outcome.stderr)
                    Self.keepTail(of: &outcome.stderr, limit: 2 * PluginProcess.stderrKept)
                }
            }
            let now = ContinuousClock.now
            if let stopping {
                if now >= stopping { break exchange }
            } else if now >= deadline {
                kill(-child.pid, SIGTERM)
                outcome.timedOut = true
                stopping = now + killGrace
            }
        }

        if leaderExited {
            // All the leader wrote is in the pipe by now; what a child it left writes later does not count.
            Streams.drainAvailable(&streams.output, with: &buffer, into: &outcome.stdout)
            if outcome.stdout.count > maxOutputBytes {
                outcome.stdout.removeLast(outcome.stdout.count - maxOutputBytes)
                outcome.overflowed = true
            }
        } else if !cancelled, !outcome.timedOut, !outcome.overflowed {
            // The streams end when the last holder closes them, which can be just before the leader exits (a
            // shell whose last command wrote the reply): give the leader until the deadline to exit on its own, so
            // a good reply is not turned into "killed by SIGKILL". One that closed its output but runs on is
            // stopped like any other that passes its deadline.
            switch waitForExit(watching: exitWatch, until: deadline) {
            case .exited: break
            case .cancelled: cancelled = true
            case .deadline:
                kill(-child.pid, SIGTERM)
                switch waitForExit(watching: exitWatch, until: .now + killGrace) {
                case .cancelled: cancelled = true
                case .exited, .deadline: outcome.timedOut = true
                }
            }
        }
        // The leader is not reaped yet, so the group id cannot have been reused.
        kill(-child.pid, SIGKILL)
        ProcessSweep.killMarked(mark, after: child.pid)
        // What the group wrote to stderr before it was stopped, when the loop left early.
        Streams.drainAvailable(&streams.error, with: &buffer, into: &outcome.stderr)
        Self.keepTail(of: &outcome.stderr, limit: PluginProcess.stderrKept)
        outcome.status = ProcessGroupControl.reap(child.pid)
        return Result(outcome: outcome, cancelled: cancelled)
    }

    private enum Wait {
        case exited, deadline, cancelled
    }

    /// Waits, without reaping it, until the leader has exited, the deadline passes or the call is cancelled.
    private func waitForExit(watching exitWatch: Int32, until deadline: ContinuousClock.Instant) -> Wait {
        // Without a pidfd (Linux before 5.3), check at growing intervals, from a millisecond.
        var pause: Int32 = 1
        while true {
            if ProcessGroupControl.exit(of: child.pid) != nil { return .exited }
            var watched = [pollfd(fd: cancellation, events: Int16(POLLIN), revents: 0)]
            if exitWatch >= 0 { watched.append(pollfd(fd: exitWatch, events: Int16(POLLIN), revents: 0)) }
            let timeout = Self.pollTimeout(until: deadline)
            if timeout == 0 { return .deadline }
            _ = poll(&watched, nfds_t(watched.count), exitWatch >= 0 ? timeout : min(timeout, pause))
            if watched[0].revents != 0 { return .cancelled }
            pause = min(pause * 2, 20)
        }
    }

    /// Keeps the last `limit` bytes.
    private static func keepTail(of bytes: inout [UInt8], limit: Int) {
        if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
    }

    /// Milliseconds until `instant`, rounded up, for `poll`.
    private static func pollTimeout(until instant: ContinuousClock.Instant) -> Int32 {
        let remaining = instant - .now
        guard remaining > .zero else { return 0 }
        return Int32(clamping: remaining.milliseconds + 1)
    }

    /// The parent's ends of the child's pipes; -1 once closed.
    private struct Streams {
        var input: Int32
        var output: Int32
        var error: Int32
        var written = 0

        /// Writes as much of the request as the pipe takes; closes stdin when all is written or the child has
        /// stopped reading (EPIPE: a plugin that never reads stdin must not block the call).
        mutating func writeInput(_ bytes: [UInt8]) {
            guard input >= 0 else { return }
            if case .full = PipeWriter.write(input, bytes, from: &written) { return }
            close(input)
            input = -1
        }

        /// Reads what one stream has into `bytes`; closes it at its end.
        ///
        /// - Returns: Whether the stream is still open and may have more.
        @discardableResult
        static func drain(_ descriptor: inout Int32, with buffer: inout [UInt8], into bytes: inout [UInt8]) -> Bool {
            guard descriptor >= 0 else { return false }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: buffer[..<count])
                return true
            }
            if count < 0, errno == EINTR || errno == EAGAIN { return errno == EINTR }
            close(descriptor)
            descriptor = -1
            return false
        }

        /// Reads what a stream holds now, without waiting for more.
        static func drainAvailable(_ descriptor: inout Int32, with buffer: inout [UInt8], into bytes: inout [UInt8]) {
            guard descriptor >= 0 else { return }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            while drain(&descriptor, with: &buffer, into: &bytes) {}
        }

        mutating func closeAll() {
            for descriptor in [input, output, error] where descriptor >= 0 { close(descriptor) }
            (input, output, error) = (-1, -1, -1)
        }
    }
}
