import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// The local model servers of one process: each starts on first use (one per model file and settings), is shared
/// by every run, and stops when the scope of ``withServers(client:stopGrace:logger:_:)`` ends — on a normal exit,
/// an error or a signal's cancellation alike.
///
/// ```swift
/// try await LocalModelServers.withServers { servers in
///     let provider = try ProviderFactory.make(local, context: .init(workspace: root, localHost: servers))
///     let reply = try await provider.complete(ModelRequest(model: "smollm2", messages: [.user("Hi")]))
/// }
/// ```
///
/// A server listens on a free loopback port and is ready when `GET /v1/models` answers 200. It runs in its own
/// process group and watches its parent, so it ends even if Trellis is killed with SIGKILL. A server that dies is
/// started again on its next use; its stderr tail is in the error of every request it failed.
public final class LocalModelServers: LocalModelHost, Sendable {
    let client: HTTPClient
    let stopGrace: Duration
    let logger: Logger
    let launches: AsyncStream<LocalModelServer>.Continuation
    private let state = Mutex(State())

    private struct State {
        var servers: [LocalModelLaunch: LocalModelServer] = [:]
        var closed = false
    }

    private init(
        client: HTTPClient, stopGrace: Duration, logger: Logger, launches: AsyncStream<LocalModelServer>.Continuation
    ) {
        self.client = client
        self.stopGrace = stopGrace
        self.logger = logger
        self.launches = launches
    }

    /// Runs `body` with a set of servers, and stops every server it started when `body` ends.
    ///
    /// - Parameters:
    ///   - client: The HTTP client used to check that a server is ready.
    ///   - stopGrace: How long a server has to exit after SIGTERM before its group gets SIGKILL.
    ///   - logger: Where start-ups, deaths and (at debug level) the servers' stderr go.
    ///   - body: The work that uses the servers.
    /// - Returns: What `body` returns; this function returns only when every server process is gone.
    public static func withServers<R: Sendable>(
        client: HTTPClient = .trellis, stopGrace: Duration = .seconds(2),
        logger: Logger = Logger(label: "trellis.local"), _ body: (LocalModelServers) async throws -> R
    ) async throws -> R {
        let (requests, launches) = AsyncStream.makeStream(of: LocalModelServer.self)
        let servers = LocalModelServers(client: client, stopGrace: stopGrace, logger: logger, launches: launches)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { running in
                    for await server in requests { running.addTask { await server.run() } }
                }
            }
            let result: Result<R, any Error>
            do {
                result = .success(try await body(servers))
            } catch {
                result = .failure(error)
            }
            servers.shutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    public func baseURL(for launch: LocalModelLaunch, provider: String) async throws -> String {
        let server = try state.withLock { state throws(ProviderError) -> LocalModelServer in
            if state.closed {
                throw ProviderError.connection(provider: provider, message: "the local model servers were stopped")
            }
            if let server = state.servers[launch], !server.hasEnded { return server }
            let server = LocalModelServer(
                launch: launch, provider: provider, client: client, stopGrace: stopGrace, logger: logger)
            state.servers[launch] = server
            launches.yield(server)
            return server
        }
        return try await server.baseURL()
    }

    public func diagnosis(for launch: LocalModelLaunch) -> String? {
        state.withLock { $0.servers[launch] }?.diagnosis
    }

    /// No more starts; every server is asked to stop.
    private func shutdown() {
        let servers = state.withLock { state in
            state.closed = true
            return Array(state.servers.values)
        }
        launches.finish()
        for server in servers { server.stop() }
    }
}
