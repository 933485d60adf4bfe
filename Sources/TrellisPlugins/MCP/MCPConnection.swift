import Logging
import Synchronization
import TrellisCore

/// What a JSON-RPC request came back with: a result or an error object.
enum MCPResponse: Sendable, Hashable {
    case result(JSONValue)
    case error(code: Int, message: String, data: JSONValue?)
}

/// One running server's JSON-RPC channel: requests multiplexed by id over newline-delimited JSON.
///
/// The process side (``MCPServerProcess``) drains ``outgoing`` into the server's stdin and feeds each stdout line to
/// ``receive(_:)``. Any number of tasks may call ``request(_:params:timeout:)`` at once. Once ``fail(_:)`` has run,
/// every waiting and later request fails with that error.
final class MCPConnection: Sendable {
    /// The server's configured name.
    let server: String
    let logger: Logger
    /// What the server wrote to stderr.
    let stderr = StderrTail()
    /// Lines for the server's stdin, each ending in a newline.
    let outgoing: AsyncStream<[UInt8]>
    private let sink: AsyncStream<[UInt8]>.Continuation
    private let state = Mutex(State())

    private enum Slot {
        case waiting(CheckedContinuation<MCPResponse, any Error>?)
        case answered(MCPResponse)
    }

    private struct State {
        var nextID = 1
        var pending: [Int: Slot] = [:]
        var failure: MCPError?
        var ended = false
        var stopping = false
        var started = false
        var endWaiter: CheckedContinuation<Void, Never>?
    }

    init(server: String, logger: Logger) {
        self.server = server
        self.logger = logger
        (outgoing, sink) = AsyncStream.makeStream(of: [UInt8].self)
    }

    // MARK: - Requests

    /// Sends a request and waits for its answer.
    ///
    /// - Throws: ``MCPError`` when no answer comes within `timeout` or the connection failed; `CancellationError`
    ///   when the calling task is cancelled. After a timeout or a cancellation the server is sent
    ///   `notifications/cancelled` for the request.
    func request(_ method: String, params: JSONValue? = nil, timeout: Duration) async throws -> MCPResponse {
        let id = try state.withLock { state throws(MCPError) -> Int in
            if let failure = state.failure { throw failure }
            defer { state.nextID += 1 }
            state.pending[state.nextID] = .waiting(nil)
            return state.nextID
        }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .integer(id), "method": .string(method)]
        if let params { message["params"] = params }
        send(.object(message))
        do {
            return try await withThrowingTaskGroup(of: MCPResponse.self) { group in
                group.addTask { try await self.response(to: id) }
                group.addTask {
                    try await Task.sleep(for: timeout.capped)
                    throw MCPError.timeout(self.server, "no answer within \(timeout.mcpText)")
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
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
        sink.yield(Array((message.serialized() + "\n").utf8))
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
                    case .waiting?:
                        if Task.isCancelled {
                            state.pending[id] = nil
                            return .failure(CancellationError())
                        }
                        state.pending[id] = .waiting(continuation)
                        return nil
                    case nil:
                        return .failure(state.failure ?? CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<MCPResponse, any Error>? in
                guard case .waiting(let waiter)? = state.pending[id] else { return nil }
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
            case .waiting(let waiter?)?:
                state.pending[id] = nil
                return waiter
            case .waiting(nil)?:
                state.pending[id] = .answered(response)
                return .some(nil)
            case .answered?, nil:
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

    // MARK: - Ending

    /// Fails every waiting and every later request with `error`; only the first failure counts.
    func fail(_ error: MCPError) {
        let waiters = state.withLock { state -> [CheckedContinuation<MCPResponse, any Error>] in
            guard state.failure == nil else { return [] }
            state.failure = error
            let waiters = state.pending.values.compactMap { slot in
                if case .waiting(let waiter?) = slot { waiter } else { nil }
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
    func finishInput() { sink.finish() }

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
