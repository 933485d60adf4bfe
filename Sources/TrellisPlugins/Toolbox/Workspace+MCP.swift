import Foundation
import TrellisConfig

extension Workspace {
    /// The workspace's `mcp_servers:`, ready for ``MCPServerPool``: a command written as a path and the working
    /// directory are resolved against the workspace folder, which is also where a server runs by default.
    public var mcpServerConfigurations: [MCPServerConfiguration] {
        configuration.mcpServers.values.sorted { $0.name < $1.name }.map { server in
            MCPServerConfiguration(
                name: server.name, command: server.command.contains("/") ? resolve(server.command) : server.command,
                arguments: server.arguments, environment: server.environment,
                workingDirectory: resolve(server.workingDirectory ?? "."), startupTimeout: server.startupTimeout,
                callTimeout: server.callTimeout)
        }
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (root as NSString).appendingPathComponent(path)
    }
}
