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

/// A `trellis serve` or `trellis worker` child of the test, in a workspace folder.
final class TrellisProcess: Sendable {
    private struct State {
        var pid: Int32 = 0
        var ended = false
    }

    /// What the task that runs the process sees of it.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    let arguments: [String]
    private let shared = Shared()
    let exited: Task<ChildProcessOutcome, any Error>

    /// Starts `trellis arguments…` in `root` with `environment` (and a PATH for the plugins' interpreters).
    init(_ arguments: [String], root: String, environment: [String: String] = [:]) {
        self.arguments = arguments
        let shared = shared
        var env = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": root]
        env.merge(environment) { $1 }
        exited = Task { [env] in
            defer { shared.state.withLock { $0.ended = true } }
            return try await ChildProcess.run(
                ChildProcess.built("trellis"), arguments, environment: env, workingDirectory: root,
                timeout: .seconds(600), onStart: { pid in shared.state.withLock { $0.pid = pid } })
        }
    }

    var pid: Int32 { shared.state.withLock { $0.pid } }

    /// Sends a signal once the process has started.
    func signal(_ number: Int32) async {
        _ = await Poll.until(timeout: .seconds(10)) { self.pid > 0 }
        if !shared.state.withLock({ $0.ended }) { kill(pid, number) }
    }

    /// SIGKILL unless it ended within `grace` (after a SIGTERM sent before, say), then waits for it.
    @discardableResult
    func stop(grace: Duration = .zero) async -> ChildProcessOutcome? {
        if grace > .zero { _ = await Poll.until(timeout: grace) { self.shared.state.withLock { $0.ended } } }
        if !shared.state.withLock({ $0.ended }), pid > 0 { kill(pid, SIGKILL) }
        return try? await exited.value
    }
}

/// Plain HTTP calls to a server under test.
enum HTTP {
    struct Reply {
        var status: Int
        var text: String
        var json: JSONValue { (try? JSONValue.parse(text)) ?? .string(text) }
    }

    static func request(
        _ method: String, _ url: String, _ body: JSONValue? = nil, timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(string: body.serialized()))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        let bytes = try await response.body.collect(upTo: 1 << 24)
        return Reply(status: Int(response.status.code), text: String(buffer: bytes))
    }

    /// Waits until `/healthz` answers.
    static func ready(_ url: String) async throws {
        let up = await Poll.until(timeout: .seconds(60)) {
            (try? await request("GET", "\(url)/healthz", timeout: .seconds(2)).status) == 200
        }
        try #require(up, "trellis serve did not start at \(url)")
    }
}
