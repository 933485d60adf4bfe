import Logging
import Subprocess
import TrellisConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension MCPServerProcess {
    /// Writes queued lines to the server's stdin, and closes it when the connection finishes its input.
    func pumpStdin(_ writer: StandardInputWriter) async {
        do {
            for await line in connection.outgoing {
                _ = try await writer.write(line)
            }
        } catch {
            logger.debug("MCP server's stdin closed: \(error)", metadata: ["mcp.server": "\(configuration.name)"])
        }
        try? await writer.finish()
    }

    /// Splits stdout into lines for the connection; at its end, fails waiting requests with the exit status.
    func pumpStdout(_ output: SubprocessOutputSequence, pid: pid_t) async {
        var buffer: [UInt8] = []
        do {
            for try await chunk in output {
                chunk.withUnsafeBytes { buffer.append(contentsOf: $0) }
                var start = buffer.startIndex
                while let newline = buffer[start...].firstIndex(of: 0x0A) {
                    connection.receive(buffer[start..<newline])
                    start = newline + 1
                }
                buffer.removeSubrange(..<start)
                if buffer.count > Self.maxLineBytes {
                    connection.fail(
                        .protocolViolation(configuration.name, "the server wrote a line longer than 64 MiB"))
                    ProcessGroupControl.signalGroup(pid, SIGKILL)
                    buffer.removeAll()
                }
            }
        } catch {
            logger.debug("MCP server's stdout failed: \(error)", metadata: ["mcp.server": "\(configuration.name)"])
        }
        if !buffer.isEmpty { connection.receive(buffer[...]) }
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

    /// Keeps the last stderr bytes for error messages and logs each chunk at debug level.
    func drainStderr(_ errors: SubprocessOutputSequence) async {
        do {
            for try await chunk in errors {
                chunk.withUnsafeBytes { connection.stderr.append($0) }
                if logger.logLevel <= .debug {
                    let text = chunk.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                    logger.debug("stderr: \(text)", metadata: ["mcp.server": "\(configuration.name)"])
                }
            }
        } catch {
            logger.debug("MCP server's stderr failed: \(error)", metadata: ["mcp.server": "\(configuration.name)"])
        }
        connection.stderr.close()
    }
}
