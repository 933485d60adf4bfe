import Logging
import Synchronization
import TrellisCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a JSON-RPC request came back with: a result or an error object.
enum MCPResponse: Sendable, Hashable {
    case result(JSONValue)
    case error(code: Int, message: String, data: JSONValue?)
}

/// One running server's JSON-RPC channel: requests multiplexed by id over newline-delimited JSON.
///
/// A request is written to the server's stdin by the task that makes it (``outbox``); the process side
/// (``MCPServerProcess``) reads stdout on a kept thread, hands each line to ``receive(_:)``, and between lines
/// times out requests whose deadline passed (``expireOverdue(at:)``), so a request costs no timer task. Any number
/// of tasks may call ``request(_:params:timeout:)`` at once. Once ``fail(_:)`` has run, every waiting and later
/// request fails with that error.
final class MCPConnection: Sendable {
    /// The server's configured name.
    let server: String
    let logger: Logger
    /// What the server wrote to stderr.
    let stderr = StderrTail()
    /// The server's stdin.
    let outbox = MCPOutbox()
    private let state = Mutex(State())

    /// The longest the stdout reader sleeps between looks at the deadlines while nothing is due sooner. A request
    /// whose timeout is at least this long never has to wake the reader.
    static let readerHorizon = Duration.seconds(1)

    private enum Slot {
        case waiting(CheckedContinuation<MCPResponse, any Error>?, deadline: ContinuousClock.Instant, timeout: Duration)
        case answered(MCPResponse)
        case expired(MCPError)
    }

    private struct State {
        var nextID = 1
        var pending: [Int: Slot] = [:]
        var failure: MCPError?
        var ended = false
        var stopping = false
        var started = false
        var endWaiter: CheckedContinuation<Void, Never>?
        /// When the stdout reader next looks at the deadlines; `nil` until its first look.
        var readerWake: ContinuousClock.Instant?
        /// No waiting request's deadline is before this: a lower bound, which answers and failures leave as it
        /// was and the next scan of the requests makes exact; `nil` only when none waits.
        var earliestDeadline: ContinuousClock.Instant?
        /// The write end of the pipe that wakes the reader early; -1 when there is none.
        var wakeDescriptor: Int32 = -1
    }

    init(server: String, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    // MARK: - Requests

    /// Sends a request and waits for its answer.
    ///
    /// - Throws: ``MCPError`` when no answer comes within `timeout` or the connection failed; `CancellationError`
    ///   when the calling task is cancelled. After a timeout or a cancellation the server is sent
    ///   `notifications/cancelled` for the request.
    func request(_ method: String, params: JSONValue? = nil, timeout: Duration) async throws -> MCPResponse {
        let deadline = ContinuousClock.now + timeout.capped
        let id = try state.withLock { state throws(MCPError) -> Int in
            if let failure = state.failure { throw failure }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = .waiting(nil, deadline: deadline, timeout: timeout)
            state.earliestDeadline = min(state.earliestDeadline ?? deadline, deadline)
            // The reader sleeps until `readerWake`; a deadline before that needs it awake sooner.
            if let wake = state.readerWake, deadline < wake, state.wakeDescriptor >= 0 {
                state.readerWake = deadline
                var byte: UInt8 = 1
                _ = write(state.wakeDescriptor, &byte, 1)
            }
            return state.nextID
        }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .integer(id), "method": .string(method)]
        if let params { message["params"] = params }
        send(.object(message))
        do {
            return try await response(to: id)
        } catch let error as MCPError where error.isTimeout {
            cancel(id, reason: "no answer within \(timeout.mcpText)")
            throw error
        } catch is CancellationError {
            cancel(id, reason: "the caller was cancelled")
            throw CancellationError()
        }
    }

    private func cancel(_ id: Int, reason: String) {
        notify("notifications/cancelled", params: ["requestId": .integer(id), "reason": .string(reason)])
    }

    /// Sends a notification.
    func notify(_ method: String, params: JSONValue? = nil) {
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        send(.object(message))
    }

    private func send(_ message: JSONValue) {
        outbox.send(Array((message.serialized() + "\n").utf8))
    }

    /// Waits for the answer to request `id`.
    private func response(to id: Int) async throws -> MCPResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<MCPResponse, any Error>? in
                    switch state.pending[id] {
                    case .answered(let response)?:
                        state.pending[id] = nil
                        return .success(response)
                    case .expired(let error)?:
                        state.pending[id] = nil
                        return .failure(error)
                    case .waiting(_, let deadline, let timeout)?:
                        if Task.isCancelled {
                            state.pending[id] = nil
                            return .failure(CancellationError())
                        }
                        state.pending[id] = .waiting(continuation, deadline: deadline, timeout: timeout)
                        return nil
                    case nil:
                        return .failure(state.failure ?? CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<MCPResponse, any Error>? in
                guard case .waiting(let waiter, _, _)? = state.pending[id] else { return nil }
                state.pending[id] = nil
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    // MARK: - Incoming

    /// Handles one line of the server's stdout.
    func receive(_ line: ArraySlice<UInt8>) {
        guard let object = (try? JSONValue.parse(bytes: line))?.objectValue else {
            let text = String(decoding: line.prefix(200), as: UTF8.self)
            logger.warning(
                "MCP server wrote a line that is not JSON-RPC: \(text)", metadata: ["mcp.server": "\(server)"])
            return
        }
        if let method = object["method"]?.stringValue {
            if let id = object["id"] {
                answer(request: method, id: id)
            } else {
                logger.debug("MCP notification \(method)", metadata: ["mcp.server": "\(server)"])
            }
            return
        }
        guard let id = object["id"]?.intValue else {
            logger.warning("MCP message without a usable id ignored", metadata: ["mcp.server": "\(server)"])
            return
        }
        let response: MCPResponse
        if let error = object["error"] {
            response = .error(
                code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? "(no message)",
                data: error["data"])
        } else {
            response = .result(object["result"] ?? .null)
        }
        let waiter = state.withLock { state -> CheckedContinuation<MCPResponse, any Error>?? in
            switch state.pending[id] {
            case .waiting(let waiter?, _, _)?:
                state.pending[id] = nil
                return waiter
            case .waiting(nil, _, _)?:
                state.pending[id] = .answered(response)
                return .some(nil)
            case .answered?, .expired?, nil:
                return nil
            }
        }
        switch waiter {
        case .some(let waiter?): waiter.resume(returning: response)
        case .some(nil): break
        case nil:
            logger.debug(
                "MCP answer to request \(id), which is no longer waited for", metadata: ["mcp.server": "\(server)"])
        }
    }

    /// Answers a request the server sent us: `ping` gets `{}`, anything else "method not found".
    private func answer(request method: String, id: JSONValue) {
        logger.debug("MCP server request \(method)", metadata: ["mcp.server": "\(server)"])
        var reply: JSONObject = ["jsonrpc": "2.0", "id": id]
        if method == "ping" {
            reply["result"] = [:]
        } else {
            reply["error"] = ["code": -32601, "message": .string("Method not found: \(method)")]
        }
        send(.object(reply))
    }

    // MARK: - Deadlines

    /// Gives the connection the write end of the pipe that wakes the stdout reader (-1: none, from now on).
    func setWakeDescriptor(_ descriptor: Int32) { state.withLock { $0.wakeDescriptor = descriptor } }

    /// Fails every request whose deadline is at or before `now` with a timeout; returns when the reader should
    /// look again: the next deadline, or ``readerHorizon`` from now if that is sooner.
    func expireOverdue(at now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        var overdue: [(CheckedContinuation<MCPResponse, any Error>, MCPError)] = []
        let wake = state.withLock { state -> ContinuousClock.Instant in
            var wake = now + Self.readerHorizon
            // Between two reads nothing is usually due: then the requests in flight are not looked at one by one.
            if let earliest = state.earliestDeadline, earliest > now {
                wake = min(wake, earliest)
                state.readerWake = wake
                return wake
            }
            var earliest: ContinuousClock.Instant?
            for (id, slot) in state.pending {
                guard case .waiting(let waiter, let deadline, let timeout) = slot else { continue }
                guard deadline <= now else {
                    wake = min(wake, deadline)
                    earliest = min(earliest ?? deadline, deadline)
                    continue
                }
                let error = MCPError.timeout(server, "no answer within \(timeout.mcpText)")
                if let waiter {
                    state.pending[id] = nil
                    overdue.append((waiter, error))
                } else {
                    state.pending[id] = .expired(error)
                }
            }
            state.earliestDeadline = earliest
            state.readerWake = wake
            return wake
        }
        for (waiter, error) in overdue { waiter.resume(throwing: error) }
        return wake
    }

    // MARK: - Ending

    /// Fails every waiting and every later request with `error`; only the first failure counts.
    func fail(_ error: MCPError) {
        let waiters = state.withLock { state -> [CheckedContinuation<MCPResponse, any Error>] in
            guard state.failure == nil else { return [] }
            state.failure = error
            let waiters = state.pending.values.compactMap { slot in
                if case .waiting(let waiter?, _, _) = slot { waiter } else { nil }
            }
            state.pending.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// The error requests fail with, once the connection has failed.
    var failure: MCPError? { state.withLock { $0.failure } }

    /// Records that the handshake succeeded.
    func markStarted() { state.withLock { $0.started = true } }

    /// Whether the handshake succeeded.
    var isStarted: Bool { state.withLock { $0.started } }

    /// Whether the pool asked the server to stop.
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Closes the server's stdin once everything queued is written.
    func finishInput() { outbox.finish() }

    /// Records that the server's stdout reached its end.
    func markEnded() { wake { $0.ended = true } }

    /// Asks the server to stop: pending and later requests fail with `error`.
    func stop(_ error: MCPError) {
        fail(error)
        wake { $0.stopping = true }
    }

    private func wake(_ change: (inout State) -> Void) {
        let waiter = state.withLock { state in
            change(&state)
            defer { state.endWaiter = nil }
            return state.endWaiter
        }
        waiter?.resume()
    }

    /// Waits until the server's stdout ends or ``stop(_:)`` is called.
    func waitUntilEndedOrStopped() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                if state.ended || state.stopping { return true }
                state.endWaiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}
