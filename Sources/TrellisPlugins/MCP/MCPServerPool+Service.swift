import Foundation
import Logging
import ServiceLifecycle
import TrellisConfig

extension MCPServerPool {
    /// An MCP server pool run as a swift-service-lifecycle `Service`, for a long-running process: servers start on
    /// first use, and stop (stdin closed, then SIGTERM, then SIGKILL to each process group) when the service group
    /// shuts down or the service is cancelled.
    public struct Service: ServiceLifecycle.Service {
        /// The pool.
        public let pool: MCPServerPool
        let requests: AsyncStream<MCPServerLaunch>

        public func run() async throws {
            let pool = pool
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler {
                    await pool.supervise(requests)
                } onGracefulShutdown: {
                    pool.shutdown()
                }
            } onCancel: {
                pool.shutdown()
            }
        }
    }

    /// A pool of the given servers, and the service that runs it; see ``withPool(_:environment:stopGrace:logger:_:)``
    /// for the parameters. Put the service in the group before the services that use the pool, so it stops after
    /// them.
    public static func service(
        _ servers: [MCPServerSettings], environment: [String: String] = ProcessInfo.processInfo.environment,
        stopGrace: Duration = .seconds(1), logger: Logger = Logger(label: "trellis.mcp")
    ) -> Service {
        _ = BrokenPipe.ignore
        let (requests, launches) = AsyncStream.makeStream(of: MCPServerLaunch.self)
        let pool = MCPServerPool(
            configurations: servers, environment: environment, stopGrace: stopGrace, logger: logger,
            launches: launches)
        return Service(pool: pool, requests: requests)
    }
}
