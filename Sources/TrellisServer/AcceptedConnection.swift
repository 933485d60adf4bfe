import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// A connection a server has accepted, which closes itself cleanly if it is dropped without being served.
///
/// A connection NIO accepts just as its listener closes is handed to a stream nobody reads any more, and dropped.
/// NIO then traps once that connection becomes active ("Deinited NIOAsyncWriter without calling finish()",
/// apple/swift-nio#3481), and the whole process ends: a client connecting while `trellis serve` shuts down
/// would crash it. Dropped unclaimed, this finishes the connection's writer and closes it, so the client sees a
/// closed connection instead.
public final class AcceptedConnection<Inbound: Sendable, Outbound: Sendable>: Sendable {
    private let connection: NIOAsyncChannel<Inbound, Outbound>
    private let claimed = Atomic<Bool>(false)

    /// Wraps a connection just accepted (in the child channel's initializer).
    public init(_ connection: NIOAsyncChannel<Inbound, Outbound>) {
        self.connection = connection
    }

    /// The connection, to serve with `executeThenClose`; the caller owns it from now on.
    public func claim() -> NIOAsyncChannel<Inbound, Outbound> {
        claimed.store(true, ordering: .releasing)
        return connection
    }

    deinit {
        guard !claimed.load(ordering: .acquiring) else { return }
        connection.outbound.finish()
        connection.channel.close(promise: nil)
    }
}

extension NIOAsyncChannel {
    /// This connection type, wrapped as accepted.
    public typealias Accepted = AcceptedConnection<Inbound, Outbound>
}

extension AcceptedConnection: ServerChildChannelValue {
    /// The accepted channel.
    public var channel: any Channel { connection.channel }
}

/// Hummingbird's HTTP/1 child channel, each connection an ``AcceptedConnection``: a connection accepted while the
/// server stops is closed, not a crash.
public struct ShutdownSafeHTTP1Channel: ServerChildChannel {
    private let http1: HTTP1Channel

    /// The channel for `responder`, configured like Hummingbird's.
    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration = .init())
    {
        http1 = HTTP1Channel(responder: responder, configuration: configuration)
    }

    /// Sets the connection up as Hummingbird does, and wraps it.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<
        HTTP1Channel.Value.Accepted
    > {
        http1.setup(channel: channel, logger: logger).map { AcceptedConnection($0) }
    }

    /// Serves the connection as Hummingbird does.
    public func handle(value: HTTP1Channel.Value.Accepted, logger: Logger) async {
        await http1.handle(value: value.claim(), logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 as `.http1()`, with ``ShutdownSafeHTTP1Channel``.
    public static func shutdownSafeHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in ShutdownSafeHTTP1Channel(responder: responder, configuration: configuration) }
    }
}
