import Foundation
import NIOCore
import NIOPosix
import PostgresNIO
import TrellisRuntime

/// Why a PostgreSQL store could not be opened.
public enum PostgresStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store's URL or a `PG*` variable is wrong.
    case invalidURL(String)
    /// The database's schema is newer than this trellis knows.
    case schemaTooNew(found: Int, known: Int)

    public var description: String {
        switch self {
        case .invalidURL(let message): "--store: \(message)"
        case .schemaTooNew(let found, let known):
            "the database's trellis schema is version \(found), and this trellis knows versions up to \(known); "
                + "upgrade trellis, or use another database"
        }
    }

    /// A database error as a ``RunStoreError/database(_:)`` whose message says what happened: the server's message
    /// and hint, or why the connection failed (postgres-nio's own description hides both).
    static func store(_ error: any Error, at location: PostgresLocation? = nil) -> RunStoreError {
        if let error = error as? RunStoreError { return error }
        if error is PostgresTransactionError, !(unwrapped(error) is PostgresTransactionError) {
            return store(unwrapped(error), at: location)
        }
        let place = location.map { " (\($0))" } ?? ""
        guard let error = error as? PSQLError else { return .database("\(error)\(place)") }
        if let server = error.serverInfo, let message = server[.message] {
            let code = server[.sqlState].map { " [\($0)]" } ?? ""
            let hint = server[.hint].map { "; \($0)" } ?? ""
            return .database("PostgreSQL: \(message)\(code)\(hint)\(place)")
        }
        let underlying = error.underlying.map { ": \(reason($0))" } ?? ""
        switch error.code {
        case .connectionError:
            return .database("could not connect to PostgreSQL\(place)\(underlying)")
        case .serverClosedConnection, .clientClosedConnection, .poolClosed:
            return .database("the connection to PostgreSQL closed\(place)\(underlying)")
        case .sslUnsupported:
            return .database("the PostgreSQL server does not support TLS, and sslmode requires it\(place)")
        case .authMechanismRequiresPassword:
            return .database("PostgreSQL asks for a password; give it in the URL or PGPASSWORD\(place)")
        default:
            return .database("PostgreSQL: \(error.code)\(underlying)\(place)")
        }
    }

    /// What went wrong in a transaction (postgres-nio wraps it): what its body threw, or why it could not begin or
    /// commit.
    static func unwrapped(_ error: any Error) -> any Error {
        guard let error = error as? PostgresTransactionError else { return error }
        return error.closureError ?? error.beginError ?? error.commitError ?? error
    }

    /// Why a connection failed, in a few words (`Connection refused`), where NIO's description lists every
    /// address tried.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return reason(first.error) }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "the host name did not resolve (\(dns))" }
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }
}
