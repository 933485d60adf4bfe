import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A server's stdin: each line is written straight from the task that sends it, in order, without blocking.
///
/// A line goes to the pipe at once while nothing is queued; a line the pipe cannot take whole, and every line after
/// it, waits in the queue for ``pump(into:logger:server:)``, which writes them as the server reads. Writes happen
/// under the outbox's lock, so lines never interleave. A server that stops reading only makes lines wait; after
/// ``finish()``, or once a write fails (the server closed its stdin or exited), later lines are dropped.
final class MCPOutbox: Sendable {
    private struct State {
        /// The pipe, from the pump's start to its end; -1 before and after.
        var descriptor: Int32 = -1
        /// Lines not yet written whole, oldest first; `offset` bytes of the first are written.
        var queued: [[UInt8]] = []
        var offset = 0
        var finishing = false
        /// Why the pipe stopped taking bytes (an `errno`), once it did.
        var broken: Int32?
        var pumpWaiter: CheckedContinuation<Void, Never>?

        var pumpHasWork: Bool { (!queued.isEmpty && descriptor >= 0) || finishing || broken != nil }
    }

    private enum Step {
        case idle
        case waitForRoom(Int32)
        case close(Int32, brokenBy: Int32?)
    }

    private let state = Mutex(State())

    /// Sends one line (ending in a newline).
    func send(_ line: [UInt8]) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finishing, state.broken == nil else { return nil }
            if state.queued.isEmpty, state.descriptor >= 0 {
                var written = 0
                switch PipeWriter.write(state.descriptor, line, from: &written) {
                case .done: return nil
                case .full:
                    state.queued.append(line)
                    state.offset = written
                case .closed:
                    state.broken = errno
                }
            } else {
                state.queued.append(line)
            }
            return Self.takeWaiter(&state)
        }
        waiter?.resume()
    }

    /// Closes stdin once every queued line is written.
    func finish() {
        let waiter = state.withLock { state in
            state.finishing = true
            return Self.takeWaiter(&state)
        }
        waiter?.resume()
    }

    /// Writes what the pipe could not take at once, as the server reads, until ``finish()`` or until the server
    /// stops reading; then closes `descriptor`.
    func pump(into descriptor: Int32, logger: Logger, server: String) async {
        state.withLock { $0.descriptor = descriptor }
        while true {
            switch state.withLock({ Self.flush(&$0) }) {
            case .idle:
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state in
                        if state.pumpHasWork { return true }
                        state.pumpWaiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            case .waitForRoom(let descriptor):
                // The server is not reading: wait for room without holding a thread of the pool.
                await DedicatedThread.run {
                    var watched = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
                    _ = poll(&watched, 1, 100)
                }
            case .close(let descriptor, let brokenBy):
                if let brokenBy {
                    logger.debug(
                        "MCP server's stdin closed: \(PipedChild.text(ofError: brokenBy))",
                        metadata: ["mcp.server": "\(server)"])
                }
                close(descriptor)
                return
            }
        }
    }

    /// Writes queued lines until the pipe is full; says what the pump does next.
    private static func flush(_ state: inout State) -> Step {
        while state.broken == nil, let line = state.queued.first {
            switch PipeWriter.write(state.descriptor, line, from: &state.offset) {
            case .done:
                state.queued.removeFirst()
                state.offset = 0
            case .full:
                return .waitForRoom(state.descriptor)
            case .closed:
                state.broken = errno
            }
        }
        guard state.finishing || state.broken != nil else { return .idle }
        defer {
            state.descriptor = -1
            state.queued.removeAll()
        }
        return .close(state.descriptor, brokenBy: state.broken)
    }

    private static func takeWaiter(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard state.pumpHasWork else { return nil }
        defer { state.pumpWaiter = nil }
        return state.pumpWaiter
    }
}
