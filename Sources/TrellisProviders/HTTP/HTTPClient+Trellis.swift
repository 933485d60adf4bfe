import AsyncHTTPClient
import NIOCore
import Tracing

extension HTTPClient {
    /// The process-wide client adapters use by default.
    ///
    /// Unlike `HTTPClient.shared`, it does not retry failed connection attempts inside the pool until the
    /// request's deadline (a refused port would otherwise hang for the whole timeout): ``RetryPolicy`` owns
    /// retries, so an unreachable provider fails in milliseconds with a clear error. It never follows redirects.
    public static let trellis = HTTPClient.makeTrellis()

    /// A new client configured as ``trellis`` is, for an owner that shuts it down (a server).
    ///
    /// - Parameter connectionsPerHost: How many HTTP/1.1 connections to one provider may be open at once; a server
    ///   running many runs against one provider needs about one per run (AsyncHTTPClient's default is 8).
    public static func makeTrellis(connectionsPerHost: Int = 8) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        // With no tracer bootstrapped, a request need not make the no-op span and its attributes.
        if InstrumentationSystem.tracer is NoOpTracer { configuration.tracing.tracer = nil }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

extension HTTPClient {
    /// Calls `body` with a new client configured as ``trellis`` is, and shuts the client down when `body` returns
    /// or throws.
    public static func withTrellis<Value>(
        connectionsPerHost: Int = 8, _ body: (HTTPClient) async throws -> Value
    ) async throws -> Value {
        let client = makeTrellis(connectionsPerHost: connectionsPerHost)
        let value: Value
        do {
            value = try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        return value
    }
}
