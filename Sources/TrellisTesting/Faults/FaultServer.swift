import NIOCore
import NIOPosix
import Synchronization
import TrellisCore
import TrellisServer

/// A loopback HTTP/1.1 server that answers each connection with a scripted ``Fault``, written byte for byte on a
/// raw socket: what `FakeVendorServer` (a well-behaved HTTP server) cannot do, such as resetting mid-body, never
/// sending headers, streaming without end or holding a connection open after the last event.
///
/// Every reply closes its connection, so each request is one connection and one fault, taken from the queue in
/// order; once the queue is empty, ``fallback`` answers.
///
/// ```swift
/// try await FaultServer.withServer { server in
///     server.enqueue(.hangBeforeHeaders, .reply(#"{"choices":[...]}"#))
///     // point a provider at server.baseURL
/// }
/// ```
public final class FaultServer: Sendable {
    private struct State {
        var queue: [Fault] = []
        var fallback: Fault = .reply(#"{"error":{"message":"the fault server has no scripted fault"}}"#, status: 500)
        var responder: (@Sendable (RecordedRequest) -> Fault)?
        var requests: [RecordedRequest] = []
        var port = 0
    }

    private let state = Mutex(State())

    private init() {}

    /// The port the server listens on.
    public var port: Int { state.withLock { $0.port } }

    /// `http://127.0.0.1:<port>/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Every request received so far, in order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Queues faults, one per connection, in order.
    public func enqueue(_ faults: Fault...) { enqueue(faults) }

    /// Queues faults, one per connection, in order.
    public func enqueue(_ faults: [Fault]) { state.withLock { $0.queue += faults } }

    /// The fault for every connection once the queue is empty.
    public func fallback(_ fault: Fault) { state.withLock { $0.fallback = fault } }

    /// Chooses the fault for each request once the queue is empty, by what the request says (for concurrent runs,
    /// whose requests arrive in no fixed order).
    public func respond(with responder: @escaping @Sendable (RecordedRequest) -> Fault) {
        state.withLock { $0.responder = responder }
    }

    /// Starts a server, runs `body` with it, and stops it: every connection still open (held, stalled or
    /// streaming) is closed when `body` returns.
    public static func withServer<T: Sendable>(_ body: (FaultServer) async throws -> T) async throws -> T {
        let server = FaultServer()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    AcceptedConnection(
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel))
                }
            }
        server.state.withLock { $0.port = listener.channel.localAddress?.port ?? 0 }
        // Closing the listener ends the accept loop once every accepted connection is handed over; only then are
        // the connections still open stopped. One accepted as the listener closes is dropped, and closes itself
        // (``AcceptedConnection``: in NIO an accepted connection left unserved is a fatal error, "Deinited
        // NIOAsyncWriter without calling finish()", apple/swift-nio#3481).
        let outcome = await withTaskGroup(of: Void.self, returning: Result<T, any Error>.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { connections in
                    try? await listener.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await server.serve(connection.claim()) }
                        }
                    }
                    connections.cancelAll()
                }
            }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(server))
            } catch {
                outcome = .failure(error)
            }
            try? await listener.channel.close()
            await group.waitForAll()
            return outcome
        }
        return try outcome.get()
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let channel = connection.channel
        try? await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            guard let request = try await Self.readRequest(from: &iterator) else { return }
            let fault = state.withLock { state -> Fault in
                state.requests.append(request)
                if !state.queue.isEmpty { return state.queue.removeFirst() }
                return state.responder?(request) ?? state.fallback
            }
            var chunked = false
            for step in fault.steps {
                switch step {
                case .head(let status, let headers, let isChunked):
                    chunked = isChunked
                    var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nConnection: close\r\n"
                    if isChunked { head += "Transfer-Encoding: chunked\r\n" }
                    for (name, value) in headers { head += "\(name): \(value)\r\n" }
                    try await outbound.write(ByteBuffer(string: head + "\r\n"))
                case .body(let bytes):
                    try await outbound.write(Self.frame(bytes, chunked: chunked))
                case .repeated(let bytes, let count):
                    let frame = Self.frame(bytes, chunked: chunked)
                    for _ in 0..<count { try await outbound.write(frame) }
                case .endless(let bytes):
                    let frame = Self.frame(bytes, chunked: chunked)
                    while !Task.isCancelled { try await outbound.write(frame) }
                case .pause(let duration):
                    try await Task.sleep(for: duration)
                case .hold:
                    // Until the client closes (inbound ends) or the server stops (cancellation).
                    while try await iterator.next() != nil {}
                    return
                case .endChunks:
                    try await outbound.write(ByteBuffer(string: "0\r\n\r\n"))
                case .reset:
                    try await (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                        .get()
                    return
                }
            }
        }
    }

    /// Reads one request: its head up to the blank line, then `Content-Length` bytes of body.
    private static func readRequest(
        from iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    ) async throws -> RecordedRequest? {
        var received: [UInt8] = []
        var headEnd: Int?
        while true {
            if headEnd == nil, let end = blankLine(in: received) { headEnd = end }
            if let headEnd {
                let head = String(decoding: received[..<headEnd], as: UTF8.self)
                let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
                let requestLine = lines.first?.split(separator: " ") ?? []
                let headers = lines.dropFirst().compactMap { line -> HTTPHeaderField? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return HTTPHeaderField(
                        name: String(line[..<colon]),
                        value: String(line[line.index(after: colon)...].drop { $0 == " " }))
                }
                let lengthHeader = headers.first { $0.name.lowercased() == "content-length" }
                let length = lengthHeader.flatMap { Int($0.value) } ?? 0
                let bodyStart = headEnd + 4
                if received.count - bodyStart >= length {
                    let method = requestLine.first.map(String.init) ?? ""
                    let path = requestLine.dropFirst().first.map(String.init) ?? ""
                    let body = String(decoding: received[bodyStart..<(bodyStart + length)], as: UTF8.self)
                    return RecordedRequest(method: method, path: path, headers: headers, body: body)
                }
            }
            guard let buffer = try await iterator.next() else { return nil }
            received += buffer.readableBytesView
        }
    }

    private static func blankLine(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func frame(_ bytes: [UInt8], chunked: Bool) -> ByteBuffer {
        guard chunked else { return ByteBuffer(bytes: bytes) }
        var buffer = ByteBuffer(string: String(bytes.count, radix: 16) + "\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n")
        return buffer
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
