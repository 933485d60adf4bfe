import Foundation
import TrellisConfig

extension Workspace {
    /// The workspace's `mcp_servers:`, ready for ``MCPServerPool``: a command written as a path and the working
    /// directory are resolved against the workspace folder, which is also where a server runs by default.
    public var resolvedMCPServers: [MCPServerSettings] {
        configuration.mcpServers.values.sorted { $0.name < $1.name }.map { server in
            var resolved = server
            if server.command.contains("/") { resolved.command = resolve(server.command) }
            resolved.workingDirectory = resolve(server.workingDirectory ?? ".")
            return resolved
        }
    }

    private func resolve(_ path: String) -> String {
        URL(fileURLWithPath: path.hasPrefix("/") ? path : (root as NSString).appendingPathComponent(path))
            .standardizedFileURL.path
    }
}
