import Logging
import TrellisConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension MCPServerProcess {
    /// Writes queued lines to the server's stdin (non-blocking; a full pipe is waited on), and closes it when the
    /// connection finishes its input or the server stops reading.
    func pumpStdin(_ input: Int32) async {
        lines: for await line in connection.outgoing {
            var written = 0
            while true {
                switch PipeWriter.write(input, line, from: &written) {
                case .done: continue lines
                case .full:
                    // The server is not reading: wait for room without holding a thread of the pool.
                    await DedicatedThread.run {
                        var watched = [pollfd(fd: input, events: Int16(POLLOUT), revents: 0)]
                        _ = poll(&watched, 1, 100)
                    }
                case .closed:
                    logger.debug(
                        "MCP server's stdin closed: \(PipedChild.text(ofError: errno))",
                        metadata: ["mcp.server": "\(configuration.name)"])
                    break lines
                }
            }
        }
        close(input)
    }

    /// Splits stdout into lines for the connection, on a kept thread, so a reply goes from the pipe to its caller
    /// with no hop between; at its end, fails waiting requests with the exit status.
    func pumpStdout(_ output: Int32, pid: pid_t) async {
        let (connection, server) = (connection, configuration.name)
        let rest = await DedicatedThread.run { () -> [UInt8] in
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                buffer.append(contentsOf: chunk[..<count])
                var start = buffer.startIndex
                while let newline = buffer[start...].firstIndex(of: 0x0A) {
                    connection.receive(buffer[start..<newline])
                    start = newline + 1
                }
                buffer.removeSubrange(..<start)
                if buffer.count > Self.maxLineBytes {
                    connection.fail(.protocolViolation(server, "the server wrote a line longer than 64 MiB"))
                    ProcessGroupControl.signalGroup(pid, SIGKILL)
                    buffer.removeAll()
                }
            }
            close(output)
            return buffer
        }
        if !rest.isEmpty { connection.receive(rest[...]) }
        await reportEnd(pid: pid)
        connection.markEnded()
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
