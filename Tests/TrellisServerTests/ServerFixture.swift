import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders
import TrellisRuntime
import TrellisServer
import TrellisTesting

/// A server over a temporary workspace whose provider is a scripted fake OpenAI (``OpenAIFake/scripted(delay:)``),
/// tested in process with HummingbirdTesting.
struct ServerFixture {
    /// The agents every fixture has: `helper` (calculator), `careful` (calculator with `approval: ask`), and
    /// `limited` (one turn).
    static let agents: [String: String] = [
        "agents/helper.yaml": "model: fake/m\nsystem: You help.\ntools: [calculator]\n",
        "agents/careful.yaml":
            "model: fake/m\ntools: [calculator]\napproval: {default: allow, tools: {calculator: ask}}\n",
        "agents/triage.yaml":
            "model: fake/m\nroutes:\n  classifier: [keyword]\n  to:\n    maths: {agent: helper, keywords: [calc*]}\n    other: greeter\n",
        "agents/limited.yaml": "model: fake/m\ntools: [calculator]\nlimits: {max_turns: 1}\n",
        "agents/greeter.yaml": "model: fake/m\nparams:\n  who: {description: whom to greet}\nsystem: Greet {{who}}.\n",
    ]

    let folder: TemporaryFolder
    let server: FakeVendorServer
    let store: SQLiteRunStore
    let worker: RunWorker

    /// Runs `body` with a test client of a server over the agents; the fake provider answers after `delay`.
    static func with(
        configuration: ServerConfiguration = ServerConfiguration(port: 0), concurrency: Int = 4,
        delay: Duration? = nil, storePath: String? = nil, agentLimits: [String: Int] = [:],
        _ body: @Sendable (any TestClientProtocol, ServerFixture) async throws -> Void
    ) async throws {
        let folder = try TemporaryFolder("trellis-server")
        defer { folder.remove() }
        try await FakeVendorServer.withServer { server in
            server.respond(with: OpenAIFake.scripted(delay: delay))
            try folder.write(
                "trellis.yaml",
                "providers:\n  fake:\n    kind: openai\n    base_url: \(server.baseURL)\n    api_key: sk-test\n")
            for (path, text) in agents { try folder.write(path, text) }
            let workspace = try Workspace.load(
                root: folder.path, environment: [:], toolNames: BuiltinTools.registry.names,
                toolSettingKeys: BuiltinTools.registry.settingKeys, providerKinds: ProviderFactory.kinds)
            let path = storePath ?? folder.path(".trellis/trellis.db")
            let store = try await SQLiteRunStore.open(path: path)
            let sessions = try await SessionStore.open(path: path)
            try await WorkspaceHost.withHost(workspace, environment: [:]) { host in
                let hub = RunEventHub()
                let metrics = ServerMetrics()
                let worker = RunWorker(
                    store: store, host: host, hub: hub, sessions: sessions,
                    configuration: RunWorker.Configuration(
                        concurrency: concurrency, agentLimits: agentLimits, heartbeat: .milliseconds(200),
                        poll: .milliseconds(100),
                        drainGrace: .seconds(5)),
                    metrics: metrics)
                let app = TrellisServer.application(
                    configuration: configuration, host: host, store: store, hub: hub, worker: worker, metrics: metrics,
                    logger: Logger(label: "test"))
                let fixture = ServerFixture(folder: folder, server: server, store: store, worker: worker)
                try await app.test(.router) { client in try await body(client, fixture) }
            }
            await store.close()
            await sessions.close()
        }
    }
}

extension TestClientProtocol {
    /// Sends a request with a JSON body and returns the status, the headers and the body parsed as JSON.
    func json(
        _ method: HTTPRequest.Method, _ uri: String, _ body: JSONValue? = nil, headers: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, json: JSONValue) {
        try await execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0.serialized()) }
        ) { response in
            let text = String(buffer: response.body)
            return (response.status, response.headers, (try? JSONValue.parse(text)) ?? .string(text))
        }
    }

    /// Polls a run until its status is final or `waiting_approval`.
    func settled(_ id: String) async throws -> JSONValue {
        var run: JSONValue = .null
        let done = try await Poll.until(timeout: .seconds(30)) {
            run = try await json(.get, "/v1/runs/\(id)").json
            let status = run["status"]?.stringValue ?? ""
            return ["succeeded", "failed", "cancelled", "waiting_approval"].contains(status)
        }
        #expect(done, "run \(id) did not settle: \(run)")
        return run
    }

    /// The SSE events of a run after `lastEventID`, read until the stream ends, as (id, event, data).
    func events(_ id: String, after lastEventID: Int? = nil) async throws -> [(id: Int, event: String, data: JSONValue)]
    {
        var headers: HTTPFields = [:]
        if let lastEventID { headers[HTTPField.Name("Last-Event-ID")!] = "\(lastEventID)" }
        return try await execute(uri: "/v1/runs/\(id)/events", method: .get, headers: headers) { response in
            #expect(response.headers[.contentType] == "text/event-stream")
            return String(buffer: response.body).components(separatedBy: "\n\n").compactMap { block in
                var id = 0
                var event = ""
                var data = JSONValue.null
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) ?? 0 }
                    if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data = (try? JSONValue.parse(String(line.dropFirst(6)))) ?? .null }
                }
                return event.isEmpty ? nil : (id, event, data)
            }
        }
    }
}

extension JSONValue {
    /// The element at `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
