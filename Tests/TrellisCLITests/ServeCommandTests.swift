import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TrellisCore
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// `trellis serve` as a process, as a user runs it: the official `openai` Python client against it, a kill -9
/// during a slow tool call and a restart, an approval answered after a restart, a client that goes away
/// mid-stream, SIGTERM draining, and the refusal to serve a network without tokens.
@Suite(.serialized) struct ServeCommandTests {
    static let hasOpenAI = ChildProcess.succeeds("python3", ["-c", "import openai"])

    /// A `trellis serve` child of the test.
    final class Server: Sendable {
        /// The pid, once the process runs.
        final class PID: Sendable {
            let value = Mutex<Int32>(0)
            let ended = Mutex(false)
        }

        let port = FreePort.next()
        private let started = PID()
        let exited: Task<CLIOutcome, any Error>

        init(_ cli: CLIHarness, _ arguments: [String] = [], environment: [String: String]) {
            let started = started
            let port = port
            exited = Task {
                defer { started.ended.withLock { $0 = true } }
                return try await cli.run(
                    ["serve", "--port", "\(port)"]
                        + (arguments.contains("--log-level") ? [] : ["--log-level", "warning"])
                        + arguments, environment: environment,
                    onStart: { pid in started.value.withLock { $0 = pid } })
            }
        }

        /// SIGKILL unless it ended, then waits for it.
        func stop() async {
            if !started.ended.withLock({ $0 }), pid > 0 { kill(pid, SIGKILL) }
            _ = try? await exited.value
        }

        var pid: Int32 { started.value.withLock { $0 } }
        var url: String { "http://127.0.0.1:\(port)" }

        /// Waits until `/healthz` answers.
        func ready() async throws {
            let up = await Poll.until(timeout: .seconds(60)) {
                (try? await HTTP.request("GET", "\(self.url)/healthz").status) == 200
            }
            try #require(up, "trellis serve did not start on port \(port)")
        }

        func signal(_ number: Int32) { kill(pid, number) }
    }

    /// Plain HTTP calls with AsyncHTTPClient.
    enum HTTP {
        struct Reply {
            var status: Int
            var headers: [(String, String)]
            var json: JSONValue
            func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        }

        static func request(_ method: String, _ url: String, _ body: JSONValue? = nil, token: String? = nil)
            async throws -> Reply
        {
            var request = HTTPClientRequest(url: url)
            request.method = .init(rawValue: method)
            if let body {
                request.body = .bytes(ByteBuffer(string: body.serialized()))
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 24)
            let text = String(buffer: bytes)
            return Reply(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                json: (try? JSONValue.parse(text)) ?? .string(text))
        }

        /// Polls a run until it is final or waits for approval.
        static func settled(_ server: Server, _ id: String, timeout: Duration = .seconds(60)) async throws -> JSONValue
        {
            var run: JSONValue = .null
            let done = await Poll.until(timeout: timeout, interval: .milliseconds(50)) {
                guard let reply = try? await request("GET", "\(server.url)/v1/runs/\(id)") else { return false }
                run = reply.json
                return ["succeeded", "failed", "cancelled", "waiting_approval"].contains(
                    run["status"]?.stringValue ?? "")
            }
            #expect(done, "run \(id) did not settle: \(run)")
            return run
        }
    }

    /// The servers a test started; each is killed at the end of the test if it still runs.
    final class Servers: Sendable {
        private let started = Mutex<[Server]>([])

        func start(_ cli: CLIHarness, _ arguments: [String] = [], environment: [String: String]) -> Server {
            let server = Server(cli, arguments, environment: environment)
            started.withLock { $0.append(server) }
            return server
        }

        func stopAll() async {
            for server in started.withLock({ $0 }) { await server.stop() }
        }
    }

    /// Runs `body` with a fake provider and a list of servers, which are stopped whatever `body` did.
    private func withFake(_ body: (FakeVendorServer, Servers) async throws -> Void) async throws {
        let servers = Servers()
        do {
            try await FakeVendorServer.withServer { fake in try await body(fake, servers) }
        } catch {
            await servers.stopAll()
            throw error
        }
        await servers.stopAll()
    }

    private func workspace(_ server: FakeVendorServer) throws -> CLIHarness {
        let cli = try CLIHarness(files: [
            "trellis.yaml":
                "providers:\n  fake:\n    kind: openai\n    base_url: \(server.baseURL)\n    api_key: sk-test\n",
            "agents/helper.yaml": "model: fake/m\ntools: [calculator]\n",
            "agents/keeper.yaml": "model: fake/m\nparallel_tool_calls: false\ntools: [{plugin: ledger}]\n",
            "agents/careful.yaml": "model: fake/m\ntools: [calculator]\napproval: {tools: {calculator: ask}}\n",
            "plugins/ledger/plugin.yaml": SessionCommandTests.manifest,
            "plugins/ledger/ledger.py": SessionCommandTests.script,
        ])
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/ledger/ledger.py")
        return cli
    }

    private func environment(log: String = "/dev/null") -> [String: String] {
        ["LEDGER_LOG": log, "PATH": "/usr/local/bin:/usr/bin:/bin"]
    }

    static let openAIScript = """
        import json, sys
        import openai
        client = openai.OpenAI(base_url=sys.argv[1] + "/v1", api_key="unused", max_retries=0)
        out = {}
        reply = client.chat.completions.create(model="helper", messages=[{"role": "user", "content": "hello"}])
        out["plain"] = {"content": reply.choices[0].message.content, "finish": reply.choices[0].finish_reason,
                        "total": reply.usage.total_tokens, "object": reply.object}
        raw = client.chat.completions.with_raw_response.create(
            model="helper", messages=[{"role": "user", "content": 'call calculator {"expression":"6*7"}'}])
        out["tools"] = {"content": raw.parse().choices[0].message.content, "run": raw.headers.get("x-trellis-run-id")}
        stream = client.chat.completions.create(
            model="helper", messages=[{"role": "user", "content": "streamed"}], stream=True,
            stream_options={"include_usage": True})
        pieces, usage, finish = [], None, None
        for chunk in stream:
            if chunk.usage: usage = chunk.usage.total_tokens
            for choice in chunk.choices:
                if choice.delta.content: pieces.append(choice.delta.content)
                if choice.finish_reason: finish = choice.finish_reason
        out["stream"] = {"content": "".join(pieces), "usage": usage, "finish": finish}
        try:
            client.chat.completions.create(model="nobody", messages=[{"role": "user", "content": "hi"}])
        except openai.NotFoundError as error:
            out["unknown"] = {"status": error.status_code, "code": error.code}
        try:
            client.chat.completions.create(model="helper", messages=[])
        except openai.BadRequestError as error:
            out["bad"] = {"status": error.status_code, "message": error.message}
        print(json.dumps(out))
        """

    @Test(
        "the official openai client: a completion, a tool loop on the server, a stream, an unknown model, a bad request",
        .enabled(if: hasOpenAI, "the openai Python client is not installed (pip install openai)"))
    func openAIClient() async throws {
        try await withFake { fake, servers in
            fake.respond(with: OpenAIFake.scripted())
            let cli = try workspace(fake)
            try Data(Self.openAIScript.utf8).write(to: URL(fileURLWithPath: cli.root + "/client.py"))
            let server = servers.start(cli, environment: environment())
            try await server.ready()
            // The python3 the client was installed for: the first on the test's own PATH.
            let outcome = try await cli.runProgram(
                "/usr/bin/env", ["python3", "client.py", server.url],
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let out = try JSONValue.parse(outcome.stdout)
            #expect(
                out["plain"] == ["content": "echo: hello", "finish": "stop", "total": 25, "object": "chat.completion"])
            #expect(out["tools"]?["content"] == "done: 42")
            #expect(out["tools"]?["run"]?.stringValue?.hasPrefix("run_") == true)
            #expect(out["stream"] == ["content": "echo: streamed", "usage": 25, "finish": "stop"])
            #expect(out["unknown"] == ["status": 404, "code": "model_not_found"])
            #expect(out["bad"]?["status"] == 400)
            #expect(out["bad"]?["message"]?.stringValue?.contains("'messages' must be a non-empty array") == true)
            server.signal(SIGTERM)
            let ended = try await server.exited.value
            #expect(ended.status == 0, "\(ended.stderr)")
        }
    }

    @Test("kill -9 during a slow tool call, then a restart: the run finishes and no recorded call runs twice")
    func crashRecovery() async throws {
        try await withFake { fake, servers in
            fake.respond(with: OpenAIFake.scripted())
            let cli = try workspace(fake)
            let log = cli.root + "/ledger.log"
            let first = servers.start(cli, environment: environment(log: log))
            try await first.ready()
            let submitted = try await HTTP.request(
                "POST", "\(first.url)/v1/runs",
                ["agent": "keeper", "input": #"call record {"tag":"one"} then record {"tag":"slow"}"#])
            #expect(submitted.status == 202)
            let id = try #require(submitted.json["id"]?.stringValue)
            let started = await Poll.until(timeout: .seconds(60)) {
                FileManager.default.fileExists(atPath: log + ".pid")
            }
            try #require(started, "the slow call never started")
            first.signal(SIGKILL)
            _ = try await first.exited.value
            kill(try SessionCommandTests.pluginPID(log: log), SIGKILL)
            #expect(try String(contentsOfFile: log, encoding: .utf8) == "record one\nrecord slow\n")

            let second = servers.start(cli, environment: environment(log: log))
            try await second.ready()
            let run = try await HTTP.settled(second, id)
            #expect(run["status"] == "succeeded", "\(run)")
            #expect(run["attempt"] == 2)
            let calls = run["result"]?["tool_calls"]?.arrayValue ?? []
            #expect(calls.map { $0["content"]?.stringValue ?? "" }.first == "recorded one")
            #expect(
                calls.last?["content"]?.stringValue?.hasPrefix(
                    "outcome unknown: the run was interrupted while 'record' was running") == true, "\(calls)")
            // Each recorded call ran once: the one that finished was not run again, the cut one not either.
            #expect(try String(contentsOfFile: log, encoding: .utf8) == "record one\nrecord slow\n")
            let events = try await HTTP.request("GET", "\(second.url)/v1/runs/\(id)/events")
            let text = events.json.stringValue ?? ""
            #expect(text.contains("event: run.started\ndata: {\"attempt\":2,\"resumed\":true"), "\(text)")
            second.signal(SIGTERM)
            _ = try await second.exited.value
        }
    }

    @Test("a run parked for approval survives a restart and is answered after it")
    func approvalAfterRestart() async throws {
        try await withFake { fake, servers in
            fake.respond(with: OpenAIFake.scripted())
            let cli = try workspace(fake)
            let first = servers.start(cli, environment: environment())
            try await first.ready()
            let submitted = try await HTTP.request(
                "POST", "\(first.url)/v1/runs",
                ["agent": "careful", "input": #"call calculator {"expression":"2*21"}"#])
            let id = try #require(submitted.json["id"]?.stringValue)
            let parked = try await HTTP.settled(first, id)
            #expect(parked["status"] == "waiting_approval")
            let callID = try #require(parked["pending_approvals"]?.arrayValue?.first?["id"]?.stringValue)
            first.signal(SIGTERM)
            #expect(try await first.exited.value.status == 0)

            let second = servers.start(cli, environment: environment())
            try await second.ready()
            let still = try await HTTP.request("GET", "\(second.url)/v1/runs/\(id)")
            #expect(still.json["status"] == "waiting_approval")
            let answered = try await HTTP.request(
                "POST", "\(second.url)/v1/runs/\(id)/approvals",
                ["decisions": .object(JSONObject([(callID, JSONValue.string("approve"))]))])
            #expect(answered.status == 200, "\(answered.json)")
            let run = try await HTTP.settled(second, id)
            #expect(run["status"] == "succeeded")
            #expect(run["result"]?["output"] == "done: 42")
            second.signal(SIGTERM)
            _ = try await second.exited.value
        }
    }

    @Test("a client that disconnects mid-stream does not cancel the run")
    func clientDisconnect() async throws {
        try await withFake { fake, servers in
            fake.respond(with: OpenAIFake.scripted(delay: .milliseconds(500)))
            let cli = try workspace(fake)
            let server = servers.start(cli, environment: environment())
            try await server.ready()
            // Reads the headers and the first chunk of a streamed completion, then closes the connection.
            let script = """
                import json, socket, sys
                body = json.dumps({"model": "helper", "stream": True, "messages": [
                    {"role": "user", "content": 'call calculator {"expression":"3*3"}'}]}).encode()
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                s.sendall(b"POST /v1/chat/completions HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n"
                          + b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body)
                seen = b""
                while b"data: " not in seen:
                    seen += s.recv(4096)
                s.close()
                for line in seen.decode().split("\\r\\n"):
                    if line.lower().startswith("x-trellis-run-id:"):
                        print(line.split(":", 1)[1].strip())
                """
            let outcome = try await cli.runProgram("/usr/bin/env", ["python3", "-c", script, "\(server.port)"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let id = outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id.hasPrefix("run_"), "\(outcome.stdout)")
            let run = try await HTTP.settled(server, id)
            #expect(run["status"] == "succeeded")
            #expect(run["result"]?["output"] == "done: 9")
            server.signal(SIGTERM)
            _ = try await server.exited.value
        }
    }

    @Test("SIGTERM lets a running run finish within the drain grace; past it the run is left to resume")
    func drain() async throws {
        try await withFake { fake, servers in
            fake.respond(with: OpenAIFake.scripted(delay: .milliseconds(800)))
            let cli = try workspace(fake)
            let patient = servers.start(cli, ["--drain-grace", "30"], environment: environment())
            try await patient.ready()
            let first = try await HTTP.request("POST", "\(patient.url)/v1/runs", ["agent": "helper", "input": "hi"])
            let firstID = try #require(first.json["id"]?.stringValue)
            #expect(await Poll.until { fake.requests.count == 1 })
            patient.signal(SIGTERM)
            #expect(try await patient.exited.value.status == 0)
            let db = cli.root + "/.trellis/trellis.db"
            #expect(FileManager.default.fileExists(atPath: db))

            let hasty = servers.start(cli, ["--drain-grace", "0"], environment: environment())
            try await hasty.ready()
            let done = try await HTTP.request("GET", "\(hasty.url)/v1/runs/\(firstID)")
            #expect(done.json["status"] == "succeeded", "\(done.json)")
            let second = try await HTTP.request("POST", "\(hasty.url)/v1/runs", ["agent": "helper", "input": "again"])
            let secondID = try #require(second.json["id"]?.stringValue)
            #expect(await Poll.until { fake.requests.count == 2 })
            hasty.signal(SIGTERM)
            #expect(try await hasty.exited.value.status == 0)

            let third = servers.start(cli, environment: environment())
            try await third.ready()
            let resumed = try await HTTP.settled(third, secondID)
            #expect(resumed["status"] == "succeeded")
            #expect(resumed["result"]?["output"] == "echo: again")
            #expect(resumed["attempt"] == 2)
            third.signal(SIGTERM)
            _ = try await third.exited.value
        }
    }

    @Test("a non-loopback address without TRELLIS_API_TOKENS is refused; with them a request without one is 401")
    func authentication() async throws {
        try await withFake { fake, servers in
            let cli = try workspace(fake)
            let refused = try await cli.run(["serve", "--host", "0.0.0.0", "--port", "\(FreePort.next())"])
            #expect(refused.status == 2)
            #expect(
                refused.stderr.contains(
                    "error: refusing to serve 0.0.0.0 without authentication: set TRELLIS_API_TOKENS"))
            let token = "tok-0123456789abcdef"
            var env = environment()
            env["TRELLIS_API_TOKENS"] = token
            let server = servers.start(cli, ["--host", "0.0.0.0"], environment: env)
            try await server.ready()
            let none = try await HTTP.request("GET", "\(server.url)/v1/models")
            #expect(none.status == 401)
            #expect(none.json["error"]?["type"] == "authentication_error")
            let ok = try await HTTP.request("GET", "\(server.url)/v1/models", token: token)
            #expect(ok.status == 200)
            #expect(ok.json["data"]?.arrayValue?.count == 3)
            server.signal(SIGTERM)
            _ = try await server.exited.value
        }
    }

    @Test("--log-format json writes one JSON object per line, a run's lines with its run id")
    func jsonLogs() async throws {
        try await withFake { fake, servers in
            fake.respond(with: OpenAIFake.scripted())
            let cli = try workspace(fake)
            let server = servers.start(
                cli, ["--log-format", "json", "--log-level", "debug"], environment: environment())
            try await server.ready()
            let reply = try await HTTP.request(
                "POST", "\(server.url)/v1/chat/completions",
                [
                    "model": "helper",
                    "messages": [["role": "user", "content": #"call calculator {"expression":"2+2"}"#]],
                ])
            #expect(reply.status == 200)
            let runID = try #require(reply.header("X-Trellis-Run-Id"))
            server.signal(SIGTERM)
            let ended = try await server.exited.value
            let lines = ended.stderr.split(separator: "\n").filter { !$0.hasPrefix("trellis serve: listening") }
            let objects = lines.compactMap { try? JSONValue.parse(String($0)) }
            #expect(objects.count == lines.count, "\(ended.stderr)")
            #expect(objects.allSatisfy { $0["level"] != nil && $0["message"] != nil && $0["time"] != nil })
            #expect(objects.contains { $0["agent.run.id"]?.stringValue == runID && $0["message"] == "turn started" })
        }
    }
}
