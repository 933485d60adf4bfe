import AsyncHTTPClient
import NIOCore

/// A task executor that runs jobs on one SwiftNIO event loop: a run that prefers it does its work on the thread
/// that also does its HTTP I/O, so a turn does not hop between the concurrency pool and the loop (each hop wakes a
/// thread; against a loopback server that saved about 5% of a 3-turn run, see docs/benchmarks.md).
///
/// ```swift
/// let options = AgentRunner.Options(executor: EventLoopTaskExecutor(client: .trellis))
/// let result = await runner.run(agent, input: "Hi", options: options)
/// ```
///
/// Work that blocks a thread must not run on it: it would stall every connection of that loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// Creates an executor for `eventLoop`.
    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Creates an executor for the next event loop of `client`'s group: where that client's connections live.
    public convenience init(client: HTTPClient) {
        self.init(client.eventLoopGroup.next())
    }

    /// Runs `job` on the event loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
