import TrellisConfig
import TrellisCore

/// The start of an MCP session: `initialize`, `notifications/initialized`, then every page of `tools/list`, all
/// within the server's start-up deadline.
struct MCPHandshake: Sendable {
    let configuration: MCPServerSettings
    let connection: MCPConnection
    let deadline: ContinuousClock.Instant

    private var server: String { configuration.name }

    /// Runs the handshake.
    ///
    /// - Throws: ``MCPError`` naming the step that failed, with the stderr tail.
    func perform(processID: Int32) async throws(MCPError) -> MCPRunningServer {
        let initialize = try await result(
            of: "initialize",
            params: [
                "protocolVersion": .string(MCPServerProcess.protocolVersion),
                "capabilities": [:],
                "clientInfo": ["name": "trellis", "version": .string(MCPServerProcess.clientVersion)],
            ])
        guard let version = initialize["protocolVersion"]?.stringValue else {
            throw failure("the server's initialize result has no protocolVersion")
        }
        connection.notify("notifications/initialized")
        let info = MCPServerInfo(
            name: server, protocolVersion: version, serverName: initialize["serverInfo"]?["name"]?.stringValue,
            serverVersion: initialize["serverInfo"]?["version"]?.stringValue, processID: processID)
        return MCPRunningServer(connection: connection, info: info, tools: try await listTools())
    }

    /// Every page of `tools/list`.
    private func listTools() async throws(MCPError) -> [ToolDefinition] {
        var tools: [ToolDefinition] = []
        var cursor: String?
        var seen: Set<String> = []
        repeat {
            let page = try await result(of: "tools/list", params: cursor.map { ["cursor": .string($0)] })
            guard let items = page["tools"]?.arrayValue else {
                throw failure("the server's tools/list result has no tools array")
            }
            for item in items {
                guard let name = item["name"]?.stringValue, !name.isEmpty else {
                    throw failure("the server listed a tool without a name: \(item.serialized())")
                }
                let schema = item["inputSchema"].flatMap { $0.objectValue == nil ? nil : $0 }
                let hints = item["annotations"]
                let idempotent =
                    configuration.idempotent.contains(name) || hints?["idempotentHint"]?.boolValue == true
                    || hints?["readOnlyHint"]?.boolValue == true
                tools.append(
                    ToolDefinition(
                        name: name, description: item["description"]?.stringValue ?? "",
                        parameters: schema ?? ["type": "object", "properties": [:]], idempotent: idempotent))
            }
            cursor = page["nextCursor"]?.stringValue
            if let next = cursor, !seen.insert(next).inserted {
                throw failure("the server's tools/list repeated the cursor '\(next)'")
            }
        } while cursor != nil
        return tools
    }

    /// Sends one request within the deadline and returns its result.
    private func result(of method: String, params: JSONValue? = nil) async throws(MCPError) -> JSONValue {
        let response: MCPResponse
        do {
            response = try await connection.request(method, params: params, timeout: deadline - .now)
        } catch let error as MCPError {
            if error.isTimeout {
                throw failure(
                    "the server did not start within \(configuration.startupTimeout.mcpText) (no answer to \(method))")
            }
            if error.isExit {
                throw .startFailed(server, "\(error.message) before answering \(method)", stderrTail: error.stderrTail)
            }
            throw error
        } catch {
            throw failure("start-up was cancelled during \(method)")
        }
        switch response {
        case .result(let result):
            return result
        case .error(let code, let message, _):
            throw failure("the server answered \(method) with error \(code): \(message)")
        }
    }

    private func failure(_ message: String) -> MCPError {
        .startFailed(server, message, stderrTail: connection.stderr.text)
    }
}
