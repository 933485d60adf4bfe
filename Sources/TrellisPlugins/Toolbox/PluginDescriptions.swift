import Synchronization
import TrellisCore

/// The tools each executable plugin offers, read once per process: a plugin with `describe: true` runs
/// `--describe` the first time an agent needs it, and every later agent (or run) gets the same answer.
///
/// A failed `--describe` is not kept, so a plugin fixed while a server runs is read again on next use.
public final class PluginDescriptions: Sendable {
    private let tools = Mutex<[String: [any ToolExecutor]]>([:])

    /// An empty cache.
    public init() {}

    /// The plugin's tools, from the cache or from `read`.
    public func tools(of plugin: String, read: () async throws -> [any ToolExecutor]) async throws
        -> [any ToolExecutor]
    {
        if let known = tools.withLock({ $0[plugin] }) { return known }
        let read = try await read()
        tools.withLock { $0[plugin] = read }
        return read
    }
}
