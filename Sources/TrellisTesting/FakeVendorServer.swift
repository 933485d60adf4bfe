import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TrellisCore
import TrellisServer

/// A request the fake server received.
public struct RecordedRequest: Sendable {
    /// `POST`, `GET`, ...
    public var method: String
    /// The path with query, such as `/v1/chat/completions`.
    public var path: String
    /// The headers, in order.
    public var headers: [HTTPHeaderField]
    /// The body as text.
    public var body: String

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body parsed as JSON, or `nil`.
    public var json: JSONValue? { try? JSONValue.parse(body) }
}

/// A scripted HTTP response, written byte for byte.
public struct FakeResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Headers besides `Content-Length`/`Transfer-Encoding`.
    public var headers: [HTTPHeaderField]
    /// The body, written as separate chunks (a streamed reply) when there are several.
    public var chunks: [String]
    /// A pause before each chunk.
    public var chunkDelay: Duration?
    /// Written again and again after ``chunks`` until the client goes away: an endless stream.
    public var repeatedChunk: String?
    /// How long the connection stays open, silent, after the last chunk before the body ends: a server that stalls
    /// after its headers (no chunks), or keeps a finished stream open. The client closing it ends the wait early
    /// only once the server is stopped.
    public var holdOpen: Duration?

    /// Creates a response.
    public init(
        status: Int = 200, headers: [HTTPHeaderField] = [], chunks: [String], chunkDelay: Duration? = nil,
        repeatedChunk: String? = nil, holdOpen: Duration? = nil
    ) {
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.chunkDelay = chunkDelay
        self.repeatedChunk = repeatedChunk
        self.holdOpen = holdOpen
    }

    /// This response, its connection then kept open and silent for `duration` after the last chunk.
    public func holdingOpen(for duration: Duration = .seconds(60)) -> FakeResponse {
        var copy = self
        copy.holdOpen = duration
        return copy
    }

    /// This response, then `chunk` written forever.
    public func repeating(_ chunk: String) -> FakeResponse {
        var copy = self
        copy.repeatedChunk = chunk
        return copy
    }

    /// A JSON body.
    public static func json(_ body: String, status: Int = 200, headers: [HTTPHeaderField] = []) -> FakeResponse {
        FakeResponse(
            status: status, headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")] + headers,
            chunks: [body])
    }

    /// A plain-text body.
    public static func text(_ body: String, status: Int) -> FakeResponse {
        FakeResponse(
            status: status, headers: [HTTPHeaderField(name: "Content-Type", value: "text/plain")], chunks: [body])
    }

    /// An event stream; each element is written as one chunk exactly as given (include the `data: ` prefix and
    /// the blank line).
    public static func eventStream(_ chunks: [String], chunkDelay: Duration? = nil) -> FakeResponse {
        FakeResponse(
            headers: [HTTPHeaderField(name: "Content-Type", value: "text/event-stream")], chunks: chunks,
            chunkDelay: chunkDelay)
    }
}

/// An in-process HTTP server on a loopback port that answers with scripted responses and records requests,
/// for testing adapters and the CLI against a vendor's exact wire format.
///
/// ```swift
/// try await FakeVendorServer.withServer { server in
///     server.enqueue(.json(#"{"choices":[...]}"#))
///     let provider = OpenAICompatibleProvider(configuration: .init(name: "fake", kind: "openai",
///                                                                  baseURL: server.baseURL))
///     ...
///     #expect(server.requests.first?.path == "/v1/chat/completions")
/// }
/// ```
public final class FakeVendorServer: Sendable {
    private struct State {
        var queue: [FakeResponse] = []
        var requests: [RecordedRequest] = []
        var port = 0
        var fallback: (@Sendable (RecordedRequest) async -> FakeResponse)?
        var gate: (@Sendable (RecordedRequest) -> FakeResponse?)?
    }

    private let state = Mutex(State())

    private init() {}

    /// The port the server listens on.
    public var port: Int { state.withLock { $0.port } }

    /// `http://127.0.0.1:<port>/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// `http://127.0.0.1:<port>`, for vendors whose paths do not start with `/v1`.
    public var origin: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// Queues responses, served in order, one per request.
    public func enqueue(_ responses: FakeResponse...) { state.withLock { $0.queue += responses } }

    /// Checks every request before the queue is consulted, as a vendor checks authentication: when `check`
    /// returns a response (a 401 for a missing header, say), that is the answer and no scripted response is used.
    public func gate(_ check: @escaping @Sendable (RecordedRequest) -> FakeResponse?) {
        state.withLock { $0.gate = check }
    }

    /// Answers requests with `respond` once the queue is empty.
    public func respond(with respond: @escaping @Sendable (RecordedRequest) async -> FakeResponse) {
        state.withLock { $0.fallback = respond }
    }

    /// Starts a server, runs `body` with it, and stops it.
    ///
    /// The server is stopped gracefully: it stops accepting, lets connections it has accepted finish, and only
    /// then is cancelled. A connection accepted as it stops is closed (``ShutdownSafeHTTP1Channel``): in NIO an
    /// accepted connection left unserved is a fatal error ("Deinited NIOAsyncWriter without calling finish()",
    /// apple/swift-nio#3481).
    public static func withServer<T: Sendable>(_ body: (FakeVendorServer) async throws -> T) async throws -> T {
        let server = FakeVendorServer()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "trellis.fake-vendor")
        logger.logLevel = .critical
        let app = Application(
            responder: CallbackResponder { (request: Request, _: BasicRequestContext) in
                try await server.handle(request)
            },
            server: .shutdownSafeHTTP1(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port != 0 else {
                try await group.next()
                throw FakeVendorServerError.didNotStart
            }
            server.state.withLock { $0.port = port }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(server))
            } catch {
                outcome = .failure(error)
            }
            await services.triggerGracefulShutdown()
            // A handler still waiting on a scripted delay is not worth waiting for long: once the grace is over
            // the server is cancelled, which is safe now that it accepts nothing.
            group.addTask { try await Task.sleep(for: shutdownGrace) }
            _ = try? await group.next()
            group.cancelAll()
            return try outcome.get()
        }
    }

    /// How long a graceful stop may take before the server is cancelled.
    private static let shutdownGrace = Duration.seconds(2)

    private func handle(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
        let recorded = RecordedRequest(
            method: request.method.rawValue, path: request.uri.string,
            headers: request.headers.map { HTTPHeaderField(name: $0.name.rawName, value: $0.value) },
            body: String(buffer: body))
        let (next, fallback) = state.withLock {
            state -> (FakeResponse?, (@Sendable (RecordedRequest) async -> FakeResponse)?) in
            state.requests.append(recorded)
            if let refusal = state.gate?(recorded) { return (refusal, nil) }
            return state.queue.isEmpty ? (nil, state.fallback) : (state.queue.removeFirst(), nil)
        }
        let scripted: FakeResponse
        if let next {
            scripted = next
        } else if let fallback {
            scripted = await fallback(recorded)
        } else {
            scripted = .json(#"{"error":{"message":"the fake server has no scripted response"}}"#, status: 500)
        }
        var headers = HTTPFields()
        for header in scripted.headers {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        let chunks = scripted.chunks
        let delay = scripted.chunkDelay
        let repeated = scripted.repeatedChunk.map { ByteBuffer(string: $0) }
        let hold = scripted.holdOpen
        if chunks.count <= 1, delay == nil, repeated == nil, hold == nil {
            return Response(
                status: .init(code: scripted.status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: chunks.first ?? "")))
        }
        return Response(
            status: .init(code: scripted.status), headers: headers,
            body: ResponseBody { writer in
                // The writer must be finished on every path: a server shut down during a delay (the client gave
                // up first) cancels this task, and an unfinished writer is a fatal error in NIO.
                do {
                    for chunk in chunks {
                        if let delay { try await Task.sleep(for: delay) }
                        try await writer.write(ByteBuffer(string: chunk))
                    }
                    while let repeated {
                        try Task.checkCancellation()
                        try await writer.write(repeated)
                        // A write into a socket with room does not suspend: without this, endless writers would
                        // hold every thread of the cooperative pool and starve the client under test.
                        await Task.yield()
                    }
                    if let hold { try await Task.sleep(for: hold) }
                } catch {
                    try? await writer.finish(nil)
                    throw error
                }
                try await writer.finish(nil)
            })
    }
}

/// Why a fake server could not serve.
public enum FakeVendorServerError: Error, CustomStringConvertible {
    /// The server stopped before it was listening.
    case didNotStart

    /// A sentence for the test log.
    public var description: String {
        switch self {
        case .didNotStart: "the fake vendor server stopped before it was listening on a loopback port"
        }
    }
}
