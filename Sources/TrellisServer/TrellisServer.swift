import Hummingbird
import Logging
import ServiceLifecycle
import TrellisCore
import TrellisRuntime

/// `trellis serve`: the HTTP API over a workspace's agents and a run store.
///
/// ```swift
/// let app = TrellisServer.application(configuration: configuration, host: host, store: store, worker: worker)
/// try await ServiceGroup(services: [pool, app], gracefulShutdownSignals: [.sigterm], logger: logger).run()
/// ```
///
/// The application runs the worker as one of its services, so the API, the worker's executors and (through the
/// caller's group) the MCP pool live and stop together.
public enum TrellisServer {
    /// The application: its routes, its middleware and the worker.
    ///
    /// - Parameter onServerRunning: Called with the bound port once the server listens.
    public static func application(
        configuration: ServerConfiguration, host: WorkspaceHost, store: any RunStore, hub: RunEventHub,
        worker: RunWorker, metrics: ServerMetrics, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let state = ServerState(
            configuration: configuration, store: store, hub: hub, worker: worker, host: host, metrics: metrics,
            logger: logger)
        let router = Hummingbird.Router(context: BasicRequestContext.self)
        router.add(middleware: BearerTokens(configuration.tokens))
        router.get("/healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            do {
                _ = try await store.counts()
                return JSONResponse.make(["status": "ready"])
            } catch {
                throw APIError(
                    .serviceUnavailable, type: "server_error", code: "store_unavailable", message: "\(error)")
            }
        }
        router.get("/metrics") { _, _ in
            let text = metrics.exposition(counts: (try? await store.counts()) ?? [:], running: worker.running)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        RunsAPI(state: state).register(on: router)
        ChatCompletionsAPI(state: state).register(on: router)
        return Application(
            router: router,
            server: .shutdownSafeHTTP1(),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "trellis"),
            services: [worker],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
