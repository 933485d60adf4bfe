import TrellisCore

/// Runs the servers of `local` models: starts one on first use, shares it between requests, and stops it when
/// its owner's scope ends. `TrellisRuntime`'s `LocalModelServers` is the implementation.
public protocol LocalModelHost: Sendable {
    /// The base URL (`http://127.0.0.1:PORT/v1`) of the server for `launch`, starting it if needed.
    ///
    /// - Throws: ``ProviderError`` when the server cannot start or dies, with its stderr tail.
    func baseURL(for launch: LocalModelLaunch, provider: String) async throws -> String

    /// What became of the server of `launch` when it is no longer running (its exit and stderr tail), else `nil`.
    func diagnosis(for launch: LocalModelLaunch) -> String?
}
