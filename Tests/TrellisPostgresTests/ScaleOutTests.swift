import Foundation
import Synchronization
import Testing
import TrellisCore
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// Several trellis processes on one PostgreSQL store, as a deployment runs them: an API node that runs nothing
/// (`trellis serve --concurrency 0`) and workers (`trellis worker`), with a fake provider and a plugin that logs
/// each execution.
@Suite(
    .serialized, .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (apt-get install postgresql)"))
struct ScaleOutTests {
    /// Logs each execution of `record` (its tag), then takes a moment, so that a kill can land during a call (a
    /// `slow` tag: four seconds).
    static let manifest = """
        protocol: 1
        command: ./ledger.py
        timeout: 60s
        env: [LEDGER_LOG]
        tools:
          - name: record
            description: Records a tag.
            parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}

        """
    static let script = """
        #!/usr/bin/env python3
        import json, os, sys, time
        request = json.load(sys.stdin)
        tag = request["arguments"]["tag"]
        with open(os.environ["LEDGER_LOG"], "a") as out:
            out.write(tag + "\\n")
        time.sleep(4 if tag.startswith("slow") else 0.05)
        print(json.dumps({"content": "recorded " + tag}))

        """

    private func workspace(_ fake: FakeVendorServer) throws -> TemporaryFolder {
        let folder = try TemporaryFolder("trellis-scale")
        try folder.write(
            "trellis.yaml",
            "providers:\n  fake:\n    kind: openai\n    base_url: \(fake.baseURL)\n    api_key: sk-test\n")
        try folder.write("agents/keeper.yaml", "model: fake/m\nparallel_tool_calls: false\ntools: [{plugin: ledger}]\n")
        try folder.write("plugins/ledger/plugin.yaml", Self.manifest)
        try folder.write("plugins/ledger/ledger.py", Self.script, executable: true)
        return folder
    }

    /// The processes a test started; each is killed at the end if it still runs.
    final class Processes: Sendable {
        private let started = Mutex<[TrellisProcess]>([])

        func start(_ arguments: [String], root: String, environment: [String: String]) -> TrellisProcess {
            let process = TrellisProcess(arguments, root: root, environment: environment)
            started.withLock { $0.append(process) }
            return process
        }

        func stopAll() async {
            for process in started.withLock({ $0 }) { await process.stop() }
        }
    }

    private func withDeployment(
        delay: Duration, _ body: (FakeVendorServer, TemporaryFolder, String, Processes) async throws -> Void
    ) async throws {
        let url = try await PostgresCluster.shared().createDatabase()
        let processes = Processes()
        do {
            try await FakeVendorServer.withServer { fake in
                fake.respond(with: OpenAIFake.scripted(delay: delay))
                let folder = try workspace(fake)
                defer { folder.remove() }
                try await body(fake, folder, url, processes)
            }
        } catch {
            await processes.stopAll()
            throw error
        }
        await processes.stopAll()
    }

    /// Starts an API node that runs nothing (`--concurrency 0`) and waits until it answers; its base URL.
    private func startAPI(
        _ processes: Processes, store url: String, in folder: TemporaryFolder, environment: [String: String],
        _ extra: [String] = []
    ) async throws -> String {
        let port = FreePort.next()
        _ = processes.start(
            ["serve", "--store", url, "--concurrency", "0", "--port", "\(port)", "--log-level", "warning"] + extra,
            root: folder.path, environment: environment)
        let base = "http://127.0.0.1:\(port)"
        try await HTTP.ready(base)
        return base
    }

    /// Rows of a query on the store's database, each line split on `|`.
    private func psql(_ url: String, _ sql: String) async throws -> [[String]] {
        let outcome = try await ChildProcess.run("/usr/bin/env", ["psql", url, "-XAtc", sql])
        try #require(outcome.status == 0, "psql: \(outcome.stderr)")
        return outcome.stdout.split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
    }

    @Test("chaos: 200 runs through the API, three workers, one killed with SIGKILL and restarted 10 times")
    func chaos() async throws {
        try await withDeployment(delay: .milliseconds(100)) { _, folder, url, processes in
            let log = folder.path("ledger.log")
            let environment = ["LEDGER_LOG": log]
            let base = try await startAPI(
                processes, store: url, in: folder, environment: environment, ["--max-attempts", "50"])
            let workerArguments = [
                "worker", "--store", url, "--concurrency", "8", "--lease", "3", "--drain-grace", "5", "--log-level",
                "warning",
            ]
            var workers = (0..<3).map { _ in
                processes.start(workerArguments, root: folder.path, environment: environment)
            }

            var ids: [String] = []
            for index in 0..<200 {
                let input = #"call record {"tag":"\#(index)-a"} then record {"tag":"\#(index)-b"}"#
                let reply = try await HTTP.request(
                    "POST", "\(base)/v1/runs", ["agent": "keeper", "input": .string(input)])
                try #require(reply.status == 202, "\(reply.text)")
                ids.append(try #require(reply.json["id"]?.stringValue))
            }

            // Ten kills, one every 400 ms, each worker restarted at once.
            var kills: [Double] = []
            for round in 0..<10 {
                try await Task.sleep(for: .milliseconds(400))
                let victim = round % workers.count
                // Only while it runs something: a kill of an idle worker tests nothing.
                await workers[victim].signal(SIGKILL)
                kills.append(Date().timeIntervalSince1970)
                _ = await workers[victim].stop()
                workers[victim] = processes.start(workerArguments, root: folder.path, environment: environment)
            }

            let settled = await Poll.until(timeout: .seconds(240), interval: .milliseconds(250)) {
                let rows = (try? await psql(url, "SELECT count(*) FROM trellis_runs WHERE status = 'succeeded'")) ?? []
                return rows.first?.first == "200"
            }
            let statuses = try await psql(url, "SELECT status, count(*) FROM trellis_runs GROUP BY status ORDER BY 1")
            #expect(settled, "not every run succeeded: \(statuses)")
            #expect(statuses == [["succeeded", "200"]])
            // Each run ended once: one run.finished event, and no run is left running.
            let finished = try await psql(
                url,
                "SELECT count(*), count(DISTINCT run_id) FROM trellis_run_events WHERE type = 'run.finished'")
            #expect(finished == [["200", "200"]])

            // No call that finished ran twice: each tag is logged at most once, and every call whose result
            // the run recorded ("recorded TAG") was logged exactly once.
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            var seen: [String: Int] = [:]
            for line in lines { seen[line, default: 0] += 1 }
            #expect(seen.values.allSatisfy { $0 == 1 }, "run twice: \(seen.filter { $0.value > 1 }.keys.sorted())")
            var completed = 0
            var unknown = 0
            for id in ids {
                let run = try await HTTP.request("GET", "\(base)/v1/runs/\(id)").json
                for call in run["result"]?["tool_calls"]?.arrayValue ?? [] {
                    let content = call["content"]?.stringValue ?? ""
                    if content.hasPrefix("recorded ") {
                        completed += 1
                        #expect(seen[String(content.dropFirst("recorded ".count))] == 1, "\(id): \(content)")
                    } else {
                        unknown += 1
                        #expect(content.hasPrefix("outcome unknown:"), "\(id): \(content)")
                    }
                }
                #expect(run["result"]?["output"]?.stringValue?.hasPrefix("done: ") == true, "\(id): \(run)")
            }

            // The figures for the note: takeovers, and the time from a kill to the run going on elsewhere.
            let attempts = try await psql(url, "SELECT id, attempt, started_at FROM trellis_runs WHERE attempt > 1")
            var resumeDelays: [Double] = []
            for row in attempts {
                guard row.count == 3, let started = Double(row[2]),
                    let kill = kills.last(where: { $0 <= started })
                else { continue }
                resumeDelays.append(started - kill)
            }
            resumeDelays.sort()
            let median = resumeDelays.isEmpty ? 0 : resumeDelays[resumeDelays.count / 2]
            print(
                "chaos figures: 200 runs succeeded, \(kills.count) kills, \(attempts.count) runs taken over, "
                    + "\(completed) completed calls (none run twice), \(unknown) calls cut by a kill; kill to resume: "
                    + "median \(String(format: "%.3f", median)) s, max \(String(format: "%.3f", resumeDelays.last ?? 0)) s"
            )
            #expect(kills.count == 10)
        }
    }

    @Test(
        "a worker paused past its lease (SIGSTOP): another takes the run over from its checkpoint; when the first wakes its writes are refused"
    )
    func pausedWorker() async throws {
        try await withDeployment(delay: .milliseconds(20)) { _, folder, url, processes in
            let log = folder.path("ledger.log")
            let environment = ["LEDGER_LOG": log]
            let base = try await startAPI(processes, store: url, in: folder, environment: environment)
            let worker = ["worker", "--store", url, "--concurrency", "4", "--lease", "2", "--log-level", "warning"]
            let first = processes.start(worker, root: folder.path, environment: environment)
            let reply = try await HTTP.request(
                "POST", "\(base)/v1/runs",
                ["agent": "keeper", "input": #"call record {"tag":"one"} then record {"tag":"slow-two"}"#])
            let id = try #require(reply.json["id"]?.stringValue)
            let started = await Poll.until(timeout: .seconds(60)) {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("slow-two")
            }
            try #require(started, "the slow call never started")
            // Frozen mid-call, as a long pause or a partition would: alive, but its lease runs out.
            await first.signal(SIGSTOP)
            let second = processes.start(worker, root: folder.path, environment: environment)
            var run: JSONValue = .null
            let done = await Poll.until(timeout: .seconds(60), interval: .milliseconds(100)) {
                run = (try? await HTTP.request("GET", "\(base)/v1/runs/\(id)").json) ?? .null
                return run["status"] == "succeeded"
            }
            #expect(done, "\(run)")
            #expect(run["attempt"] == 2)
            let calls = run["result"]?["tool_calls"]?.arrayValue ?? []
            #expect(calls.first?["content"] == "recorded one")
            #expect(
                calls.last?["content"]?.stringValue?.hasPrefix(
                    "outcome unknown: the run was interrupted while 'record' was running") == true, "\(calls)")
            let events = try await HTTP.request("GET", "\(base)/v1/runs/\(id)/events").text
            // The first worker wakes, its slow call ends, and every write it tries is refused.
            await first.signal(SIGCONT)
            try await Task.sleep(for: .seconds(6))
            #expect(try await HTTP.request("GET", "\(base)/v1/runs/\(id)/events").text == events)
            let after = try await HTTP.request("GET", "\(base)/v1/runs/\(id)").json
            #expect(after["status"] == "succeeded")
            #expect(after["result"] == run["result"])
            #expect(try String(contentsOfFile: log, encoding: .utf8) == "one\nslow-two\n")
            // It says so when its refused write comes back, which on a loaded machine can be after the wait above:
            // it is let shut down on its own rather than killed.
            await first.signal(SIGTERM)
            let firstEnded = await first.stop(grace: .seconds(60))
            #expect(
                firstEnded?.stderr.contains("was taken over by another worker") == true, "\(firstEnded?.stderr ?? "")")
            await second.signal(SIGTERM)
        }
    }

    @Test("a cancellation asked of the API node stops the run on the worker process at once, not at its next heartbeat")
    func crossProcessCancel() async throws {
        try await withDeployment(delay: .milliseconds(20)) { _, folder, url, processes in
            let log = folder.path("ledger.log")
            let environment = ["LEDGER_LOG": log]
            let base = try await startAPI(processes, store: url, in: folder, environment: environment)
            // A 60 s lease: its heartbeat comes every 20 s, so only the notification can stop the run in time.
            _ = processes.start(
                ["worker", "--store", url, "--concurrency", "2", "--lease", "60", "--log-level", "warning"],
                root: folder.path, environment: environment)
            let reply = try await HTTP.request(
                "POST", "\(base)/v1/runs", ["agent": "keeper", "input": #"call record {"tag":"slow-cancel"}"#])
            let id = try #require(reply.json["id"]?.stringValue)
            let started = await Poll.until(timeout: .seconds(60)) {
                ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("slow-cancel")
            }
            try #require(started, "the slow call never started")
            let cancelled = try await HTTP.request("POST", "\(base)/v1/runs/\(id)/cancel")
            #expect(cancelled.status == 200 || cancelled.status == 202, "\(cancelled.text)")
            var run: JSONValue = .null
            let ended = await Poll.until(timeout: .seconds(15), interval: .milliseconds(50)) {
                run = (try? await HTTP.request("GET", "\(base)/v1/runs/\(id)").json) ?? .null
                return run["status"] == "cancelled"
            }
            #expect(ended, "\(run)")
            #expect(run["result"]?["finish_reason"] == "cancelled")
            // Stopped during the slow call (4 s), long before the worker's next heartbeat (20 s) would have told it.
            let calls = run["result"]?["tool_calls"]?.arrayValue ?? []
            #expect(!calls.contains { $0["content"]?.stringValue?.hasPrefix("recorded") == true }, "\(calls)")
        }
    }

    @Test("SSE from the API node follows a run that a worker in another process runs, every event in order")
    func crossProcessEvents() async throws {
        try await withDeployment(delay: .milliseconds(200)) { _, folder, url, processes in
            let environment = ["LEDGER_LOG": folder.path("ledger.log")]
            let base = try await startAPI(processes, store: url, in: folder, environment: environment)
            let reply = try await HTTP.request(
                "POST", "\(base)/v1/runs", ["agent": "keeper", "input": #"call record {"tag":"sse"}"#])
            let id = try #require(reply.json["id"]?.stringValue)
            // The API node runs nothing: the run waits for a worker.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await HTTP.request("GET", "\(base)/v1/runs/\(id)").json["status"] == "queued")
            // Follow from the API node while the worker (another process) runs it.
            async let stream = HTTP.request("GET", "\(base)/v1/runs/\(id)/events", timeout: .seconds(60))
            try await Task.sleep(for: .milliseconds(200))
            _ = processes.start(
                ["worker", "--store", url, "--concurrency", "2", "--log-level", "warning"], root: folder.path,
                environment: environment)
            let text = try await stream.text
            let events = text.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { $0.dropFirst(7) }
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
            #expect(events.first == "run.started", "\(text)")
            #expect(events.contains("tool.call") && events.contains("tool.result"), "\(text)")
            #expect(events.last == "run.finished", "\(text)")
            #expect(ids == Array(1...ids.count), "\(text)")
            #expect(text.contains("done: recorded sse"))
            let run = try await HTTP.request("GET", "\(base)/v1/runs/\(id)").json
            #expect(run["status"] == "succeeded")
            #expect(run["last_event_id"] == .integer(ids.count))
        }
    }
}
