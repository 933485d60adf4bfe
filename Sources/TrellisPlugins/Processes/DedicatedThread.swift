import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs blocking work (a `poll` loop over a child's pipes) on a thread of its own, so that it holds none of Swift
/// concurrency's few pool threads, and waits for its result.
///
/// The caller awaits the work's end, so it stays structured: nothing outlives the call. Threads are kept: one
/// that finishes its work waits up to ``idleLifetime`` for the next, so a call pays a wake-up, not a thread start,
/// and starts no new thread id (which lets ``ProcessSweep`` see that a plugin forked nothing). There are as many
/// threads as calls at once, at most, and none once Trellis has been idle for ``idleLifetime``.
enum DedicatedThread {
    /// How long a thread without work waits for more before it ends.
    static let idleLifetime = 10.0
    /// The stack each thread gets: the work is a loop with its buffers on the heap.
    static let stackSize = 512 * 1024

    /// Runs `work` on a dedicated thread and returns its result. When no thread can be started (the process is at
    /// its limit) the work runs on the calling thread instead.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let job: Job = { continuation.resume(returning: work()) }
            if let worker = idle.withLock({ workers in workers.popLast().map { $0.assign(job) } }) {
                worker.wake.signal()
            } else if !start(Worker(job)) {
                job()
            }
        }
    }

    typealias Job = @Sendable () -> Void

    /// The threads waiting for work, the latest to finish last.
    private static let idle = Mutex<[Worker]>([])

    /// One thread's slot for its next job; `job` is read and written under ``idle``'s lock.
    private final class Worker: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
        var job: Job?

        init(_ job: Job?) { self.job = job }

        func assign(_ job: @escaping Job) -> Worker {
            self.job = job
            return self
        }
    }

    /// Starts a thread that runs the worker's job, then waits for more.
    private static func start(_ worker: Worker) -> Bool {
        // Allocated rather than `pthread_attr_t()`, whose initializer Swift's Glibc module does not export.
        let attributes = UnsafeMutablePointer<pthread_attr_t>.allocate(capacity: 1)
        pthread_attr_init(attributes)
        defer {
            pthread_attr_destroy(attributes)
            attributes.deallocate()
        }
        pthread_attr_setdetachstate(attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(attributes, stackSize)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(worker).toOpaque()
        let started = pthread_create(&thread, attributes, threadEntry, context)
        if started != 0 { Unmanaged<Worker>.fromOpaque(context).release() }
        return started == 0
    }

    private static let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = {
        context in
        serve(Unmanaged<Worker>.fromOpaque(context!).takeRetainedValue())
        return nil
    }

    /// A thread's life: run the job, park, and end after ``idleLifetime`` without one.
    private static func serve(_ worker: Worker) {
        while true {
            let job = idle.withLock { _ in
                defer { worker.job = nil }
                return worker.job
            }
            job?()
            idle.withLock { $0.append(worker) }
            if worker.wake.wait(timeout: .now() + idleLifetime) == .timedOut {
                let stillIdle = idle.withLock { workers in
                    guard let index = workers.firstIndex(where: { $0 === worker }) else { return false }
                    workers.remove(at: index)
                    return true
                }
                if stillIdle { return }
                // Taken just as the wait ended: its job is coming.
                worker.wake.wait()
            }
        }
    }
}
