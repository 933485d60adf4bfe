import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TrellisCore

/// `http_get`: fetches a URL from an allow-listed host, with size and time limits.
///
/// Settings (`tools.http_get` in `trellis.yaml`): `allow_hosts` (names; `*.example.com` matches subdomains, `*`
/// any host; empty refuses all), `max_bytes` (default 1 MB), `timeout` (default 10 s, for the headers and the whole
/// body together). Redirects are not followed: the result names the new location, which the model may fetch if its
/// host is allowed.
public struct HTTPGetTool: ToolExecutor {
    let allowHosts: [String]
    let maxBytes: Int
    let timeout: Duration
    let client: HTTPClient

    /// Creates the tool.
    public init(
        allowHosts: [String], maxBytes: Int = 1_000_000, timeout: Duration = .seconds(10),
        client: HTTPClient = HTTPGetTool.client
    ) {
        self.allowHosts = allowHosts.map { $0.lowercased() }
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.client = client
    }

    /// A client that never follows redirects (a redirect could leave the allow-list) and fails fast on refused
    /// connections.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public let definition = ToolDefinition(
        name: "http_get",
        description: "Fetches a web page or API response by URL (http or https) and returns its status and text.",
        parameters: [
            "type": "object",
            "properties": ["url": ["type": "string", "pattern": "^https?://", "description": "The URL to fetch."]],
            "required": ["url"],
            "additionalProperties": false,
        ], idempotent: true)

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let text = arguments["url"]?.stringValue ?? ""
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host?.lowercased()
        else {
            return .error("'\(text)' is not an http(s) URL")
        }
        guard isAllowed(host) else {
            let list =
                allowHosts.isEmpty
                ? "none (set tools.http_get.allow_hosts in trellis.yaml)" : allowHosts.joined(separator: ", ")
            return .error("host '\(host)' is not allowed; allowed hosts: \(list)")
        }
        // One deadline for the headers and the body: the client's own covers only the headers, and a server that
        // stalls after them would hold the call.
        let limit = timeout
        let output = try await withThrowingTaskGroup(of: ToolOutput?.self) { group in
            group.addTask { await self.fetch(text) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        return output ?? .error("\(text) did not answer in full within \(Self.describe(timeout))")
    }

    /// Fetches `url`: its status and up to ``maxBytes`` of its body, or why it could not.
    private func fetch(_ text: String) async -> ToolOutput {
        var request = HTTPClientRequest(url: text)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "trellis-http-get")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        } catch {
            return .error("cannot fetch \(text): \(error)")
        }
        if (300..<400).contains(response.status.code), let location = response.headers.first(name: "location") {
            return ToolOutput("HTTP \(response.status.code): redirect to \(location) (not followed)")
        }
        var body = ByteBuffer()
        var truncated = false
        do {
            for try await var chunk in response.body {
                let room = maxBytes - body.readableBytes
                if chunk.readableBytes > room {
                    if room > 0, let slice = chunk.readSlice(length: room) { body.writeImmutableBuffer(slice) }
                    truncated = true
                    break
                }
                body.writeBuffer(&chunk)
            }
        } catch {
            return .error("the connection failed while reading \(text): \(error)")
        }
        var output = "HTTP \(response.status.code)\n" + String(decoding: body.readableBytesView, as: UTF8.self)
        if truncated { output += "\n[truncated at \(maxBytes) bytes]" }
        return ToolOutput(output, isError: response.status.code >= 400)
    }

    /// A duration as people write it in `trellis.yaml` (`3s`, `1.5s`).
    static func describe(_ duration: Duration) -> String {
        let seconds = duration.secondsValue
        return seconds.rounded() == seconds ? "\(Int(seconds))s" : "\(seconds)s"
    }

    func isAllowed(_ host: String) -> Bool {
        allowHosts.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) }
            return host == pattern
        }
    }
}
