import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Subprocess
import Synchronization
import TrellisCore
import TrellisPlugins
import TrellisProviders

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// One llama-cpp-python server process: spawned by ``run()``, ready once it answers, stopped by ``stop()``.
///
/// The server binds port 0 itself and its log line `Uvicorn running on http://127.0.0.1:PORT` says which port it
/// got: picking a free port for it beforehand would race with every other program binding one meanwhile.
///
/// ```
/// starting ──answers GET /v1/models──▶ ready ──stop() or death──▶ ended
///     └──── exits, times out, stop() ──▶ failed (every waiter gets the error, with the stderr tail)
/// ```
final class LocalModelServer: Sendable {
    /// The variables of our environment the server inherits (besides `OMP_*`, `OPENBLAS_*`, `GGML_*`, `LLAMA_*`);
    /// keys and tokens stay out of its reach.
    static let inheritedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "CUDA_VISIBLE_DEVICES"]
    static let inheritedPrefixes = ["OMP_", "OPENBLAS_", "GGML_", "LLAMA_"]

    /// Runs llama-cpp-python's server module after starting a thread that ends the process as soon as its parent
    /// is gone: Trellis killed with SIGKILL leaves no server behind.
    static let launcher = """
        import os, runpy, sys, threading, time
        parent = os.getppid()
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        sys.argv = ["llama_cpp.server"] + sys.argv[1:]
        runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
        """

    let launch: LocalModelLaunch
    let provider: String
    let client: HTTPClient
    let stopGrace: Duration
    let logger: Logger
    let stderr = StderrTail()
    private let state = Mutex(State())

    private enum Phase {
        case starting([CheckedContinuation<String, any Error>])
        case ready(String)
        case failed(ProviderError)
    }

    private struct State {
        var phase = Phase.starting([])
        var stopping = false
        var ended = false
        var exit: ProcessGroupControl.Exit?
        /// The port from the server's log, once it is listening.
        var port: Int?
        /// What stderr said so far, until the port is known.
        var log = ""
        var endWaiter: CheckedContinuation<Void, Never>?
    }

    init(launch: LocalModelLaunch, provider: String, client: HTTPClient, stopGrace: Duration, logger: Logger) {
        self.launch = launch
        self.provider = provider
        self.client = client
        self.stopGrace = stopGrace
        self.logger = logger
    }

    /// Whether the process is gone (or never started): the next use needs a new server.
    var hasEnded: Bool {
        state.withLock { state in
            if case .failed = state.phase { return true }
            return state.ended
        }
    }

    /// The server's base URL once it is ready.
    ///
    /// - Throws: ``ProviderError`` when it fails to start, with its stderr tail.
    func baseURL() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = state.withLock { state -> Result<String, ProviderError>? in
                switch state.phase {
                case .ready(let url): return .success(url)
                case .failed(let error): return .failure(error)
                case .starting(var waiters):
                    waiters.append(continuation)
                    state.phase = .starting(waiters)
                    return nil
                }
            }
            switch outcome {
            case .success(let url)?: continuation.resume(returning: url)
            case .failure(let error)?: continuation.resume(throwing: error)
            case nil: break
            }
        }
    }

    /// What became of the process, for the errors of requests it could not answer.
    var diagnosis: String? {
        let (ended, exit) = state.withLock { ($0.ended, $0.exit) }
        guard ended else { return nil }
        let tail = stderr.text
        return "the local model server \(exit?.description ?? "exited")"
            + (tail.isEmpty ? "" : "; its stderr:\n\(tail)")
    }

    /// Asks the server to stop; waiting callers fail.
    func stop() {
        let waiter = state.withLock { state in
            state.stopping = true
            defer { state.endWaiter = nil }
            return state.endWaiter
        }
        waiter?.resume()
        settle(.failure(.connection(provider: provider, message: "the local model server was stopped")))
    }

    /// Spawns the server, waits until it answers, serves until stopped or dead, and tears it down.
    func run() async {
        logger.info("starting the local model server", metadata: ["local.model": "\(launch.modelPath)"])
        let mark = SpawnMark.next()
        ProcessWatchdog.start()
        do {
            _ = try await Subprocess.run(
                configuration(mark: mark), input: .none, output: .discarded, error: .sequence
            ) { execution in
                let pid = execution.processIdentifier.value
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.drain(execution.standardError, pid: pid) }
                    if let url = await self.waitUntilReady(pid: pid) {
                        self.logger.info("local model server ready", metadata: ["local.url": "\(url)"])
                        self.settle(.success(url))
                        await self.waitUntilStoppedOrEnded()
                    }
                    await self.tearDown(pid: pid)
                    ProcessSweep.killMarked(mark, after: pid)
                }
            }
        } catch {
            let reason =
                (error as? SubprocessError)?.code == .executableNotFound
                ? "'\(launch.python)' cannot be executed" : "\(error)"
            settle(
                .failure(.connection(provider: provider, message: "the local model server could not start: \(reason)")))
        }
        state.withLock { $0.ended = true }
    }

    private func configuration(mark: String) -> Subprocess.Configuration {
        var variables: [Environment.Key: String] = [:]
        for (name, value) in ProcessInfo.processInfo.environment
        where Self.inheritedVariables.contains(name) || Self.inheritedPrefixes.contains(where: name.hasPrefix) {
            if let key = Environment.Key(rawValue: name) { variables[key] = value }
        }
        variables[Environment.Key(stringLiteral: SpawnMark.variable)] = mark
        var options = PlatformOptions()
        options.processGroupID = 0
        // Used by Subprocess only when our task is cancelled; the normal path tears down itself.
        options.teardownSequence = [
            .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: stopGrace)
        ]
        let arguments =
            ["-c", Self.launcher, "--model", launch.modelPath, "--host", "127.0.0.1", "--port", "0"]
            + launch.arguments
        return Subprocess.Configuration(
            executable: .path(FilePath(launch.python)), arguments: Arguments(arguments),
            environment: .custom(variables), platformOptions: options)
    }

    /// Waits for the port in the server's log, then polls `GET /v1/models` until it answers 200, and returns the
    /// base URL; fails the waiters and returns `nil` when the process exits, the start-up timeout passes or the
    /// server is stopped first.
    private func waitUntilReady(pid: pid_t) async -> String? {
        let deadline = ContinuousClock.now + launch.startupTimeout
        while true {
            if state.withLock({ $0.stopping }) || Task.isCancelled { return nil }
            if let exit = ProcessGroupControl.exit(of: pid) {
                await stderr.waitUntilClosed(within: .milliseconds(500))
                state.withLock { $0.exit = exit }
                settle(.failure(failure("the local model server \(exit) before it was ready")))
                return nil
            }
            if ContinuousClock.now >= deadline {
                settle(.failure(failure("the local model server did not answer within \(launch.startupTimeout)")))
                return nil
            }
            if let port = state.withLock({ $0.port }) {
                let url = "http://127.0.0.1:\(port)/v1"
                var request = HTTPClientRequest(url: url + "/models")
                request.method = .GET
                if let response = try? await client.execute(request, timeout: .seconds(2)), response.status.code == 200
                {
                    return url
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The port in uvicorn's `Uvicorn running on http://127.0.0.1:PORT` line, if `log` holds it.
    static func port(inLog log: String) -> Int? {
        let marker = "Uvicorn running on http://127.0.0.1:"
        guard let range = log.range(of: marker) else { return nil }
        let digits = log[range.upperBound...].prefix { $0.isNumber }
        return digits.isEmpty || log[range.upperBound...].count == digits.count ? nil : Int(digits)
    }

    private func failure(_ message: String) -> ProviderError {
        let tail = stderr.text
        return .connection(provider: provider, message: message + (tail.isEmpty ? "" : "; its stderr:\n\(tail)"))
    }

    private func waitUntilStoppedOrEnded() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if state.stopping || state.ended { return true }
                    state.endWaiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            stop()
        }
    }

    /// Keeps the stderr tail; its end means the process has exited.
    private func drain(_ errors: SubprocessOutputSequence, pid: pid_t) async {
        do {
            for try await chunk in errors {
                chunk.withUnsafeBytes { stderr.append($0) }
                if state.withLock({ $0.port == nil }) {
                    let text = chunk.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                    state.withLock { state in
                        state.log = String((state.log + text).suffix(4096))
                        state.port = Self.port(inLog: state.log)
                    }
                }
                if logger.logLevel <= .debug {
                    let text = chunk.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                    logger.debug("stderr: \(text)", metadata: ["local.pid": "\(pid)"])
                }
            }
        } catch {
            logger.debug("the local model server's stderr failed: \(error)")
        }
        stderr.close()
        let waiter = state.withLock { state in
            state.ended = true
            if state.exit == nil { state.exit = ProcessGroupControl.exit(of: pid) }
            defer { state.endWaiter = nil }
            return state.endWaiter
        }
        if !state.withLock({ $0.stopping }) {
            logger.notice("\(diagnosis ?? "the local model server exited")")
        }
        waiter?.resume()
    }

    /// SIGTERM to the group, SIGKILL after `stopGrace`, and SIGKILL to whatever is left of the group.
    private func tearDown(pid: pid_t) async {
        if ProcessGroupControl.exit(of: pid) == nil {
            ProcessGroupControl.signalGroup(pid, SIGTERM)
            if await ProcessGroupControl.waitForExit(of: pid, within: stopGrace) == nil {
                ProcessGroupControl.signalGroup(pid, SIGKILL)
            }
        }
        ProcessGroupControl.signalGroup(pid, SIGKILL)
    }

    /// Moves a starting server to ready or failed and answers its waiters; later outcomes are ignored.
    private func settle(_ outcome: Result<String, ProviderError>) {
        let waiters = state.withLock { state -> [CheckedContinuation<String, any Error>] in
            guard case .starting(let waiters) = state.phase else { return [] }
            switch outcome {
            case .success(let url): state.phase = .ready(url)
            case .failure(let error): state.phase = .failed(error)
            }
            return waiters
        }
        for waiter in waiters {
            switch outcome {
            case .success(let url): waiter.resume(returning: url)
            case .failure(let error): waiter.resume(throwing: error)
            }
        }
    }
}
