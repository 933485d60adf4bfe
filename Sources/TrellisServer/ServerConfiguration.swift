import Foundation

/// How `trellis serve` serves.
public struct ServerConfiguration: Sendable {
    /// The address to bind.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int
    /// Bearer tokens a request must carry one of (`TRELLIS_API_TOKENS`); empty lets every request in, which only
    /// a loopback address allows.
    public var tokens: [String]
    /// The largest request body, in bytes.
    public var bodyLimit: Int
    /// The most runs the queue holds; a submission past it gets 429 with `Retry-After`.
    public var queueLimit: Int
    /// How many times a run may be attempted (started again after a crash) before it fails.
    public var maxAttempts: Int
    /// The `Retry-After` a 429 answers with, in seconds.
    public var retryAfter: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, tokens: [String] = [], bodyLimit: Int = 4 << 20,
        queueLimit: Int = 10_000, maxAttempts: Int = 3, retryAfter: Int = 1
    ) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.bodyLimit = bodyLimit
        self.queueLimit = queueLimit
        self.maxAttempts = maxAttempts
        self.retryAfter = retryAfter
    }

    /// Whether `host` is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Refuses a configuration that would serve a network without authentication.
    ///
    /// - Throws: ``ServerConfigurationError`` naming the fix.
    public func validate() throws(ServerConfigurationError) {
        if !isLoopback && tokens.isEmpty {
            throw ServerConfigurationError(
                "refusing to serve \(host) without authentication: set TRELLIS_API_TOKENS (comma-separated bearer "
                    + "tokens), or bind a loopback address (--host 127.0.0.1)")
        }
        if tokens.contains(where: { $0.count < 16 }) {
            throw ServerConfigurationError("every token in TRELLIS_API_TOKENS must be at least 16 characters long")
        }
        if !(0...65535).contains(port) { throw ServerConfigurationError("--port must be between 0 and 65535") }
        if bodyLimit < 1024 { throw ServerConfigurationError("--max-body must be at least 1024 bytes") }
        if maxAttempts < 1 { throw ServerConfigurationError("--max-attempts must be at least 1") }
    }

    /// The tokens in a `TRELLIS_API_TOKENS` value: comma-separated, spaces around each ignored.
    public static func tokens(from value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// A server configuration that cannot be served.
public struct ServerConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}
