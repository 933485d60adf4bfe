import Logging
import TrellisConfig
import TrellisCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension MCPServerProcess {
    /// Splits stdout into lines for the connection, on a kept thread, so a reply goes from the pipe to its caller
    /// with no hop between; between reads, times out requests whose deadline passed (woken early through `wake`
    /// when a request is due sooner than the reader's next look). At its end, fails waiting requests with the exit
    /// status.
    func pumpStdout(_ output: Int32, wake: Int32, pid: pid_t) async {
        let (connection, server) = (connection, configuration.name)
        let rest = await DedicatedThread.run { () -> [UInt8] in
            var buffer: [UInt8] = []
            // How much of `buffer` is known to hold no newline: a long line arrives in many reads, and searching
            // it from its start at each one would cost the square of its length.
            var searched = 0
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            var watched = [
                pollfd(fd: output, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            while true {
                let next = connection.expireOverdue(at: .now)
                watched[0].revents = 0
                watched[1].revents = 0
                // EINTR, or a failure with nothing ready: look again (a stale `revents` would block in `read`).
                if poll(&watched, 2, Self.pollTimeout(until: next)) < 0 { continue }
                if watched[1].revents != 0 {
                    while chunk.withUnsafeMutableBytes({ read(wake, $0.baseAddress, $0.count) }) > 0 {}
                }
                guard watched[0].revents != 0 else { continue }
                let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                buffer.append(contentsOf: chunk[..<count])
                var start = 0
                var from = searched
                while let newline = Self.newline(in: buffer, from: from) {
                    connection.receive(buffer[start..<newline])
                    start = newline + 1
                    from = start
                }
                buffer.removeSubrange(..<start)
                searched = buffer.count
                if buffer.count > Self.maxLineBytes {
                    connection.fail(.protocolViolation(server, "the server wrote a line longer than 64 MiB"))
                    ProcessGroupControl.signalGroup(pid, SIGKILL)
                    buffer.removeAll()
                    searched = 0
                }
            }
            close(output)
            return buffer
        }
        if !rest.isEmpty { connection.receive(rest[...]) }
        await reportEnd(pid: pid)
        connection.markEnded()
    }

    /// The index of the first newline in `buffer` at or after `start` (`memchr`, fast in any build).
    private static func newline(in buffer: [UInt8], from start: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes in
            guard start < bytes.count, let base = bytes.baseAddress,
                let found = memchr(base + start, 0x0A, bytes.count - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Milliseconds from now to `instant`, rounded up so that a deadline has passed when `poll` returns.
    private static func pollTimeout(until instant: ContinuousClock.Instant) -> Int32 {
        let left = ContinuousClock.now.duration(to: instant)
        guard left > .zero else { return 0 }
        return Int32(clamping: (left.nanoseconds + 999_999) / 1_000_000)
    }

    /// Fails every waiting request with how the server ended and its stderr tail (unless it is being stopped).
    private func reportEnd(pid: pid_t) async {
        guard !connection.isStopping, connection.failure == nil else { return }
        var cause: String
        if let exit = await ProcessGroupControl.waitForExit(of: pid, within: stopGrace) {
            cause = "the server \(exit)"
        } else {
            ProcessGroupControl.signalGroup(pid, SIGKILL)
            cause = "the server closed its stdout and was killed"
        }
        // Whatever it wrote to stderr just before exiting belongs in the message.
        await connection.stderr.waitUntilClosed(within: stopGrace)
        let death = MCPError.exited(configuration.name, cause, stderrTail: connection.stderr.text)
        // The pool learns first, so a caller that retries as soon as its call fails gets a new process; during
        // the handshake the start-up failure is reported instead, with the step that failed.
        if connection.isStarted { report(.failed(death)) }
        connection.fail(death)
    }

    /// Keeps the last stderr bytes for error messages and logs each chunk at debug level, on a kept thread.
    func drainStderr(_ errors: Int32) async {
        let (connection, logger, server) = (connection, logger, configuration.name)
        await DedicatedThread.run {
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(errors, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                connection.stderr.append(chunk[..<count])
                if logger.logLevel <= .debug {
                    let text = String(decoding: chunk[..<count], as: UTF8.self)
                    logger.debug("stderr: \(text)", metadata: ["mcp.server": "\(server)"])
                }
            }
            close(errors)
            connection.stderr.close()
        }
    }
}
