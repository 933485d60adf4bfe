// `trellis serve` under load: N concurrent runs of 3 turns through the runs API, against a fake provider that
// answers each model call after 100 ms; see docs/benchmarks.md.
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisPostgres
import TrellisProviders
import TrellisRuntime
import TrellisServer
import TrellisTesting

enum ServeBenchmark {
    /// Monotonic nanoseconds, comparable between the fake provider and the client in this process.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Two calculator calls, then an answer that carries the time it was sent (`t=NANOSECONDS`).
    static func provider(delay: Duration) -> @Sendable (RecordedRequest) async -> FakeResponse {
        { request in
            try? await Task.sleep(for: delay)
            let body = request.json
            let stream = body?["stream"]?.boolValue ?? false
            let results = body?["messages"]?.arrayValue?.count { $0["role"]?.stringValue == "tool" } ?? 0
            if results < 2 {
                return OpenAIFake.reply(.calls(.init("calculator", #"{"expression":"6*7"}"#)), stream: stream)
            }
            return OpenAIFake.reply(.text("t=\(now()) "), stream: stream)
        }
    }

    /// Where the runs are kept.
    enum Store: CustomStringConvertible {
        /// The workspace's SQLite file; the server runs them itself.
        case sqlite
        /// A PostgreSQL server the benchmark starts (durable: fsync on), an API node that runs nothing and
        /// `workers` workers, each with its own store connections, hub and watcher, as separate processes have.
        case postgres(workers: Int)

        var description: String {
            switch self {
            case .sqlite: "SQLite store, the server running the runs"
            case .postgres(let workers):
                "PostgreSQL store, an API node with --concurrency 0 and \(workers) worker(s) of its own connections"
            }
        }
    }

    static func run(runs: Int, store kind: Store) async throws {
        let delay = Duration.milliseconds(100)
        let folder = try TemporaryFolder("trellis-bench-serve")
        defer { folder.remove() }
        try await FakeVendorServer.withServer { fake in
            fake.respond(with: provider(delay: delay))
            try folder.write(
                "trellis.yaml",
                "providers:\n  fake:\n    kind: openai\n    base_url: \(fake.baseURL)\n    api_key: sk-x\n")
            try folder.write("agents/bench.yaml", "model: fake/m\ntools: [calculator]\n")
            let workspace = try Workspace.load(
                root: folder.path, environment: [:], toolNames: BuiltinTools.registry.names,
                toolSettingKeys: BuiltinTools.registry.settingKeys, providerKinds: ProviderFactory.kinds)
            let upstream = HTTPClient.makeTrellis(connectionsPerHost: runs)
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = runs * 2
            let client = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            try await WorkspaceHost.withHost(workspace, environment: [:], client: upstream) { host in
                switch kind {
                case .sqlite:
                    let path = folder.path(".trellis/trellis.db")
                    let store = try await SQLiteRunStore.open(path: path)
                    let sessions = try await SessionStore.open(path: path)
                    let worker = RunWorker(
                        store: store, host: host, hub: RunEventHub(), sessions: sessions,
                        configuration: RunWorker.Configuration(concurrency: runs), logger: logger)
                    try await measure(
                        client, runs: runs, delay: delay, kind: kind, host: host, store: store, workers: [worker],
                        logger: logger)
                    await store.close()
                    await sessions.close()
                case .postgres(let count):
                    let cluster = try await PostgresCluster.start(durable: true)
                    let location = try PostgresLocation(url: try await cluster.createDatabase())
                    try await withStores(location, count: count + 1, logger: logger) { stores in
                        let per = (runs + count - 1) / count
                        let workers = stores.dropFirst().map { store in
                            RunWorker(
                                store: store, host: host, hub: RunEventHub(), sessions: nil,
                                configuration: RunWorker.Configuration(concurrency: per), logger: logger)
                        }
                        try await measure(
                            client, runs: runs, delay: delay, kind: kind, host: host, store: stores[0],
                            workers: workers, logger: logger)
                    }
                    await cluster.stop()
                }
            }
            try await client.shutdown()
            try await upstream.shutdown()
        }
    }

    /// `count` PostgreSQL stores on one database, as `count` processes open it.
    private static func withStores(
        _ location: PostgresLocation, count: Int, logger: Logger, opened: [PostgresRunStore] = [],
        _ body: ([PostgresRunStore]) async throws -> Void
    ) async throws {
        guard opened.count < count else { return try await body(opened) }
        try await PostgresRunStore.withStore(location, logger: logger) { store in
            try await withStores(location, count: count, logger: logger, opened: opened + [store], body)
        }
    }

    /// Serves the API on `store` and runs `workers` (the first one is the API's own on SQLite), then loads it.
    private static func measure(
        _ client: HTTPClient, runs: Int, delay: Duration, kind: Store, host: WorkspaceHost, store: any RunStore,
        workers: [RunWorker], logger: Logger
    ) async throws {
        let port = FreePort.next()
        let hub: RunEventHub
        let apiWorker: RunWorker
        if case .sqlite = kind, let only = workers.first {
            hub = only.hub
            apiWorker = only
        } else {
            hub = RunEventHub()
            apiWorker = RunWorker(
                store: store, host: host, hub: hub, sessions: nil,
                configuration: RunWorker.Configuration(concurrency: 0),
                logger: logger)
        }
        let app = TrellisServer.application(
            configuration: ServerConfiguration(port: port, queueLimit: runs * 2), host: host, store: store, hub: hub,
            worker: apiWorker, metrics: ServerMetrics(), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            group.addTask { try await RunStoreWatcher(store: store, worker: nil, hub: hub, logger: logger).run() }
            if apiWorker !== workers.first {
                for worker in workers {
                    group.addTask { try await worker.run() }
                    group.addTask {
                        try await RunStoreWatcher(store: worker.store, worker: worker, hub: worker.hub, logger: logger)
                            .run()
                    }
                }
            }
            try await waitForServer(client, port: port)
            let measured = try await load(client, port: port, runs: runs)
            report(measured, runs: runs, delay: delay, kind: kind)
            group.cancelAll()
        }
    }

    struct Measured {
        var wall: Duration
        var latencies: [Double]
        var claims: [Double]
        var failures: Int
    }

    /// One run as the client saw it.
    struct Seen: Sendable {
        /// Provider's answer to its first text event here, ms.
        var passThrough: Double?
        /// Submission to its `run.started` event here, ms.
        var claim: Double?
        var succeeded: Bool
    }

    private static func waitForServer(_ client: HTTPClient, port: Int) async throws {
        for _ in 0..<200 {
            if let response = try? await client.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(1)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Submits `runs` runs at once and follows each one's SSE stream to its end.
    private static func load(_ client: HTTPClient, port: Int, runs: Int) async throws -> Measured {
        let start = ContinuousClock.now
        let outcomes = try await withThrowingTaskGroup(of: Seen.self) { group in
            for index in 0..<runs {
                group.addTask {
                    let submitted = now()
                    var submit = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/runs")
                    submit.method = .POST
                    submit.headers.add(name: "Content-Type", value: "application/json")
                    submit.body = .bytes(ByteBuffer(string: #"{"agent":"bench","input":"run \#(index)"}"#))
                    let response = try await client.execute(submit, timeout: .seconds(120))
                    let body = try await response.body.collect(upTo: 1 << 20)
                    guard let id = (try? JSONValue.parse(String(buffer: body)))?["id"]?.stringValue else {
                        return Seen(succeeded: false)
                    }
                    return try await follow(client, port: port, id: id, submitted: submitted)
                }
            }
            var outcomes: [Seen] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        return Measured(
            wall: ContinuousClock.now - start, latencies: outcomes.compactMap(\.passThrough),
            claims: outcomes.compactMap(\.claim), failures: outcomes.count { !$0.succeeded })
    }

    /// Reads a run's events; the latency is from the provider sending the answer to its first text event here.
    private static func follow(_ client: HTTPClient, port: Int, id: String, submitted: UInt64) async throws -> Seen {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/runs/\(id)/events")
        let response = try await client.execute(request, timeout: .seconds(300))
        var text = ""
        var latency: Double?
        var arrived: UInt64?
        var claimed: UInt64?
        var tail = ""
        for try await buffer in response.body {
            // Only the new bytes are looked at, with the end of the ones before: a read may hold several events,
            // or split one.
            let piece = tail + String(buffer: buffer)
            if claimed == nil, piece.contains("event: run.started") { claimed = now() }
            if arrived == nil, piece.contains("event: text.delta") { arrived = now() }
            if !text.isEmpty {
                text += String(buffer: buffer)
            } else if let start = piece.range(of: "event: run.finished") {
                text = String(piece[start.lowerBound...])
            }
            tail = String(piece.suffix(32))
        }
        if let arrived, let range = text.range(of: #""output":"t="#),
            let sent = UInt64(text[range.upperBound...].prefix { $0.isNumber })
        {
            latency = Double(arrived - sent) / 1_000_000
        }
        let succeeded = text.contains(#""status":"succeeded""#)
        if !succeeded {
            FileHandle.standardError.write(Data("run \(id) did not succeed: \(text.suffix(600))\n".utf8))
        }
        return Seen(
            passThrough: latency, claim: claimed.map { Double($0 - submitted) / 1_000_000 }, succeeded: succeeded)
    }

    private static func report(_ measured: Measured, runs: Int, delay: Duration, kind: Store) {
        let turns = Double(runs * 3)
        let seconds = measured.wall.secondsValue
        func percentile(_ p: Double, of values: [Double] = measured.latencies) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        print("trellis serve (\(kind); in process with its client and a fake provider answering in ")
        print(
            "\(Int(delay.secondsValue * 1000)) ms): \(runs) concurrent runs of 3 turns through POST /v1/runs, each followed over SSE"
        )
        print(
            "| runs | turns | wall | turns/s | ideal turns/s | SSE pass-through p50 | p99 | claim p50 | p99 | failed | peak RSS |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        let ideal = Double(runs) / delay.secondsValue
        print(
            "| \(runs) | \(Int(turns)) | \(String(format: "%.2f", seconds)) s | \(Int(turns / seconds)) | \(Int(ideal)) | "
                + "\(String(format: "%.2f", percentile(0.5))) ms | \(String(format: "%.2f", percentile(0.99))) ms | "
                + "\(String(format: "%.1f", percentile(0.5, of: measured.claims))) ms | "
                + "\(String(format: "%.1f", percentile(0.99, of: measured.claims))) ms | "
                + "\(measured.failures) | \(peakRSS()) MB |")
    }

    /// The process's peak resident set (VmHWM), in MB.
    static func peakRSS() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}
