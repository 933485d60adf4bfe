import Foundation
import NIOSSL
import PostgresNIO
import TrellisCore

/// Where a PostgreSQL store is and how to reach it, from a `postgres://` URL and the standard `PG*` variables,
/// as libpq reads them: a setting in the URL wins over its variable, and a setting in neither takes libpq's default.
///
/// ```
/// postgres://trellis:secret@db.internal:5432/trellis?sslmode=verify-full&sslrootcert=/etc/ssl/db.pem
/// postgres:///trellis?host=/var/run/postgresql        (a Unix socket folder)
/// postgres://                                          (everything from PGHOST, PGPORT, PGUSER, ...)
/// ```
///
/// `sslmode` is one of `disable`, `allow`, `prefer` (the default), `require`, `verify-ca` and `verify-full`, as in
/// libpq: `require` encrypts without checking the certificate (unless `sslrootcert` is given, as libpq does), the
/// `verify-` modes check it against `sslrootcert` or the system's roots, `verify-full` also checks the host name.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or address; `nil` with ``socketFolder``.
    public var host: String?
    /// The folder of the server's Unix socket (a `host` that starts with `/`).
    public var socketFolder: String?
    /// The port (also names the Unix socket, `.s.PGSQL.PORT`).
    public var port: Int
    /// The user.
    public var user: String
    /// The password, if any.
    public var password: String?
    /// The database.
    public var database: String
    /// How TLS is used.
    public var sslMode: SSLMode
    /// The certificate authorities to check the server's certificate against (`sslrootcert`).
    public var sslRootCertificate: String?
    /// The `application_name` the server shows in `pg_stat_activity`.
    public var applicationName: String
    /// How long connecting may take.
    public var connectTimeout: Duration
    /// The most connections the store opens.
    public var maxConnections: Int

    /// libpq's `sslmode`.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads a URL, filling what it leaves out from `environment`.
    ///
    /// - Throws: ``PostgresStoreError/invalidURL(_:)`` naming what is wrong; the message never shows the password.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isURL(text), var parts = URLComponents(string: text) else {
            throw PostgresStoreError.invalidURL(
                "'\(Self.redacted(text))' is not a postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE)")
        }
        var query: [String: String] = [:]
        for item in parts.queryItems ?? [] { query[item.name] = item.value ?? "" }
        parts.query = nil
        func setting(_ key: String, _ variable: String) -> String? {
            if let value = query.removeValue(forKey: key), !value.isEmpty { return value }
            if let value = environment[variable], !value.isEmpty { return value }
            return nil
        }
        let hostSetting =
            parts.host.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
            ?? setting(
                "host", "PGHOST")
        if let host = hostSetting, host.hasPrefix("/") {
            socketFolder = host
            self.host = nil
        } else {
            socketFolder = nil
            host = hostSetting ?? "localhost"
        }
        if let port = parts.port {
            self.port = port
        } else if let text = setting("port", "PGPORT") {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw PostgresStoreError.invalidURL("port '\(text)' is not a number from 1 to 65535")
            }
            self.port = port
        } else {
            port = 5432
        }
        let user =
            parts.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding } ?? setting("user", "PGUSER")
            ?? ProcessInfo.processInfo.userName
        self.user = user
        password = parts.password.flatMap { $0.removingPercentEncoding } ?? setting("password", "PGPASSWORD")
        let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        database = (path.isEmpty ? nil : path.removingPercentEncoding) ?? setting("dbname", "PGDATABASE") ?? user
        let mode = setting("sslmode", "PGSSLMODE") ?? SSLMode.prefer.rawValue
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw PostgresStoreError.invalidURL(
                "sslmode '\(mode)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.sslMode = sslMode
        sslRootCertificate = setting("sslrootcert", "PGSSLROOTCERT")
        if let file = sslRootCertificate, !FileManager.default.isReadableFile(atPath: file) {
            throw PostgresStoreError.invalidURL("sslrootcert '\(file)' cannot be read")
        }
        applicationName = setting("application_name", "PGAPPNAME") ?? "trellis"
        if let text = setting("connect_timeout", "PGCONNECT_TIMEOUT") {
            guard let seconds = Int(text), seconds >= 0 else {
                throw PostgresStoreError.invalidURL("connect_timeout '\(text)' is not a whole number of seconds")
            }
            connectTimeout = .seconds(seconds == 0 ? 10 : seconds)
        } else {
            connectTimeout = .seconds(10)
        }
        if let text = query.removeValue(forKey: "pool_max") {
            guard let count = Int(text), count >= 2 else {
                throw PostgresStoreError.invalidURL("pool_max '\(text)' is not a number of connections, 2 or more")
            }
            maxConnections = count
        } else {
            maxConnections = 10
        }
        if let unknown = query.keys.sorted().first {
            throw PostgresStoreError.invalidURL(
                "unknown setting '\(unknown)'; known: application_name, connect_timeout, dbname, host, password, "
                    + "pool_max, port, sslmode, sslrootcert, user")
        }
    }

    /// The URL without its password.
    public var description: String {
        let place = socketFolder.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host ?? "localhost"):\(port)"
        return "postgres://\(user)@\(place)/\(database)"
    }

    /// postgres-nio's settings.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketFolder {
            configuration = .init(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            configuration = .init(
                host: host ?? "localhost", port: port, username: user, password: password, database: database,
                tls: try clientTLS())
        }
        configuration.options.connectTimeout = connectTimeout
        configuration.options.maximumConnections = maxConnections
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    /// The settings of one connection (the one that migrates the schema at start-up).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketFolder {
            configuration = .init(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password,
                database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch try self.tls() {
            case (.disable, _): tls = .disable
            case (.prefer, let settings): tls = .prefer(try NIOSSLContext(configuration: settings))
            case (.require, let settings): tls = .require(try NIOSSLContext(configuration: settings))
            }
            configuration = .init(
                host: host ?? "localhost", port: port, username: user, password: password, database: database,
                tls: tls)
        }
        configuration.options.connectTimeout = .nanoseconds(connectTimeout.nanoseconds)
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    private enum TLSUse { case disable, prefer, require }

    private func clientTLS() throws -> PostgresClient.Configuration.TLS {
        switch try tls() {
        case (.disable, _): .disable
        case (.prefer, let settings): .prefer(settings)
        case (.require, let settings): .require(settings)
        }
    }

    private func tls() throws -> (TLSUse, TLSConfiguration) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let sslRootCertificate {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(sslRootCertificate))
            } catch {
                throw PostgresStoreError.invalidURL("sslrootcert '\(sslRootCertificate)' cannot be read: \(error)")
            }
        }
        switch sslMode {
        case .disable:
            return (.disable, tls)
        case .allow, .prefer:
            tls.certificateVerification = .none
            return (.prefer, tls)
        case .require:
            tls.certificateVerification = sslRootCertificate == nil ? .none : .noHostnameVerification
            return (.require, tls)
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return (.require, tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return (.require, tls)
        }
    }

    /// `text` with the password of a URL replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard let at = text.range(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at.lowerBound,
            let colon = text[scheme.upperBound..<at.lowerBound].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at.lowerBound...])
    }
}
