import TrellisConfig

/// A request to the pool's supervisor to run a server process for a connection.
struct MCPServerLaunch: Sendable {
    let configuration: MCPServerSettings
    let connection: MCPConnection
}

/// Where each server of a pool is in its life, and whether the pool is closed.
///
/// ```
/// idle ──use──▶ starting ──handshake──▶ running
///   ▲              │ fails                 │ dies
///   └── 1st failure┴───────────────────────┘
///                  2nd failure ──▶ failed (reported on every later use)
/// ```
struct MCPPoolState: Sendable {
    enum Phase: Sendable {
        case idle
        case starting(MCPConnection, waiters: [CheckedContinuation<MCPRunningServer, any Error>])
        case running(MCPRunningServer)
        case failed(MCPError)

        /// The connection of a starting or running server.
        var connection: MCPConnection? {
            switch self {
            case .starting(let connection, _): connection
            case .running(let running): running.connection
            case .idle, .failed: nil
            }
        }
    }

    struct Server: Sendable {
        var phase = Phase.idle
        var failures = 0
    }

    var servers: [String: Server] = [:]
    var closed = false
}
