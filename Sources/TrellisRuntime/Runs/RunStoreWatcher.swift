import Logging
import ServiceLifecycle

/// Hands the changes other processes make to a store (``RunStore/watch(_:)``) to this process: a queued run wakes
/// the worker, stored events wake the followers of their run, a cancellation stops the run if it runs here.
///
/// With PostgreSQL this is what lets an API node's SSE stream follow a run that a worker on another machine runs
/// with no delay, and an idle worker take a run as soon as it is queued; without it both poll.
public struct RunStoreWatcher: Service {
    let store: any RunStore
    let worker: RunWorker?
    let hub: RunEventHub
    let logger: Logger

    /// A watcher that wakes `worker` (when this process runs runs) and the followers of `hub`.
    public init(store: any RunStore, worker: RunWorker?, hub: RunEventHub, logger: Logger) {
        self.store = store
        self.worker = worker
        self.hub = hub
        self.logger = logger
    }

    public func run() async throws {
        let (worker, hub) = (self.worker, self.hub)
        // Watching ends when the process stops: that is not a failure of the service.
        try? await cancelWhenGracefulShutdown {
            try await store.watch { change in
                switch change {
                case .queued: worker?.wake()
                case .events(let runID, let last): hub.poke(runID, last: last)
                case .cancelRequested(let runID): worker?.cancel(runID)
                }
            }
        }
    }
}
