import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// The process-wide client adapters use by default.
    ///
    /// Unlike `HTTPClient.shared`, it does not retry failed connection attempts inside the pool until the
    /// request's deadline (a refused port would otherwise hang for the whole timeout): ``RetryPolicy`` owns
    /// retries, so an unreachable provider fails in milliseconds with a clear error. It never follows redirects.
    public static let trellis = HTTPClient.makeTrellis()

    /// A new client configured as ``trellis`` is, for an owner that shuts it down (a server).
    public static func makeTrellis() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
