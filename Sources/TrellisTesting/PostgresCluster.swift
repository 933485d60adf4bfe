import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real PostgreSQL server from the machine's packages (Debian's `postgresql`), started for the tests of one
/// process on a free loopback port, in a fresh folder; each test gets its own database.
///
/// As root the server runs as the `postgres` user (PostgreSQL refuses to run as root). A watchdog stops the
/// server and removes its folder once the test process is gone, however it ended.
///
/// ```swift
/// @Test(.enabled(if: PostgresCluster.isInstalled)) func claims() async throws {
///     let url = try await PostgresCluster.shared().createDatabase()
/// }
/// ```
public final class PostgresCluster: Sendable {
    /// The loopback port it listens on.
    public let port: Int
    /// The superuser.
    public let user: String
    /// The folder of its data, log and socket.
    public let folder: String
    private let bin: String

    private init(port: Int, user: String, folder: String, bin: String) {
        self.port = port
        self.user = user
        self.folder = folder
        self.bin = bin
    }

    /// The folder of PostgreSQL's programs (`initdb`, `pg_ctl`), if it is installed.
    public static let binFolder: String? = {
        if let initdb = ChildProcess.executable(named: "initdb") {
            return (URL(fileURLWithPath: initdb).resolvingSymlinksInPath().path as NSString)
                .deletingLastPathComponent
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    /// Whether PostgreSQL's server programs are installed (tests that need it are skipped otherwise).
    public static var isInstalled: Bool { binFolder != nil }

    private static let starter = Starter()

    /// The process's server, started by the first caller.
    public static func shared() async throws -> PostgresCluster { try await starter.cluster() }

    /// A URL of a new, empty database.
    public func createDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let created = try await ChildProcess.run(
            "\(bin)/createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, name], timeout: .seconds(60))
        guard created.status == 0 else {
            throw ClusterError("createdb \(name) failed (\(created.status)): \(created.stderr)")
        }
        return url(database: name)
    }

    /// The URL of a database of the server.
    public func url(database: String) -> String {
        "postgres://\(user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Turns TLS on (once): a self-signed certificate for `127.0.0.1` (also its subject alternative name), in the
    /// server's data folder; connections may then ask for TLS or not.
    ///
    /// - Returns: The certificate (to trust with `sslrootcert`) and another one that did not sign it.
    public func enableTLS() async throws -> (certificate: String, stranger: String) {
        try await Self.starter.once("tls") {
            let data = "\(folder)/data"
            for (name, target) in [("server", data), ("stranger", folder)] {
                let made = try await ChildProcess.run(
                    "/usr/bin/openssl",
                    [
                        "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1", "-keyout", "\(target)/\(name).key", "-out",
                        "\(target)/\(name).crt",
                    ])
                guard made.status == 0 else { throw ClusterError("openssl req failed: \(made.stderr)") }
            }
            if getuid() == 0 {
                _ = try await ChildProcess.run(
                    "/bin/chown", ["postgres:postgres", "\(data)/server.key", "\(data)/server.crt"])
            }
            _ = try await ChildProcess.run("/bin/chmod", ["600", "\(data)/server.key"])
            let on = try await ChildProcess.run(
                "\(bin)/psql",
                [
                    "-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", "postgres", "-Xqc",
                    "ALTER SYSTEM SET ssl = on",
                ])
            guard on.status == 0 else { throw ClusterError("ALTER SYSTEM SET ssl failed: \(on.stderr)") }
            let reloaded = try await runAsOwner("pg_ctl", ["-D", data, "reload"])
            guard reloaded.status == 0 else { throw ClusterError("pg_ctl reload failed: \(reloaded.stderr)") }
            // The reload is asynchronous: wait until a new connection can use TLS.
            for _ in 0..<100 {
                let probe = try await ChildProcess.run(
                    "\(bin)/psql",
                    ["postgresql://\(user)@127.0.0.1:\(port)/postgres?sslmode=require", "-Xqtc", "SELECT 1"])
                if probe.status == 0 { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw ClusterError("the server did not take TLS connections after the reload")
        }
        return ("\(folder)/data/server.crt", "\(folder)/stranger.crt")
    }

    /// Runs a program of the server's as its user.
    func runAsOwner(_ program: String, _ arguments: [String]) async throws -> ChildProcessOutcome {
        if getuid() == 0 {
            return try await ChildProcess.run(
                "/usr/sbin/runuser", ["-u", "postgres", "--", "\(bin)/\(program)"] + arguments, timeout: .seconds(120))
        }
        return try await ChildProcess.run("\(bin)/\(program)", arguments, timeout: .seconds(120))
    }

    /// Why the server could not be started.
    public struct ClusterError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    private actor Starter {
        private var started: PostgresCluster?
        private var failure: ClusterError?
        private var starting = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        private var done: Set<String> = []

        /// Runs `body` the first time it is asked for `key`; later callers wait for it to be done.
        func once(_ key: String, _ body: () async throws -> Void) async throws {
            while starting { await withCheckedContinuation { waiting.append($0) } }
            guard !done.contains(key) else { return }
            starting = true
            defer {
                starting = false
                for waiter in waiting { waiter.resume() }
                waiting = []
            }
            try await body()
            done.insert(key)
        }

        func cluster() async throws -> PostgresCluster {
            while starting { await withCheckedContinuation { waiting.append($0) } }
            if let started { return started }
            if let failure { throw failure }
            starting = true
            defer {
                starting = false
                for waiter in waiting { waiter.resume() }
                waiting = []
            }
            do {
                let cluster = try await PostgresCluster.start()
                started = cluster
                return cluster
            } catch {
                let failure = (error as? ClusterError) ?? ClusterError("\(error)")
                self.failure = failure
                throw failure
            }
        }
    }

    /// Starts a server of its own (a benchmark's); `durable` keeps `fsync` on, as a production server has it (the
    /// tests' shared server turns it off). ``stop()`` stops it, and the watchdog does if the process ends first.
    public static func start(durable: Bool) async throws -> PostgresCluster {
        try await start(fsync: durable)
    }

    /// Stops the server and removes its folder.
    public func stop() async {
        _ = try? await runAsOwner("pg_ctl", ["-D", "\(folder)/data", "stop", "-m", "fast"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func start(fsync: Bool = false) async throws -> PostgresCluster {
        guard let bin = binFolder else {
            throw ClusterError("PostgreSQL is not installed (apt-get install postgresql)")
        }
        let root = getuid() == 0
        let user = root ? "postgres" : ProcessInfo.processInfo.userName
        let folder =
            URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
            + "/trellis-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if root {
            let owned = try await ChildProcess.run("/bin/chown", ["postgres:postgres", folder])
            guard owned.status == 0 else { throw ClusterError("chown \(folder) failed: \(owned.stderr)") }
        }
        let port = FreePort.next()
        let cluster = PostgresCluster(port: port, user: user, folder: folder, bin: bin)
        let initdb = try await cluster.runAsOwner(
            "initdb", ["-D", "\(folder)/data", "-U", user, "--auth=trust", "--no-sync", "-E", "UTF8"])
        guard initdb.status == 0 else { throw ClusterError("initdb failed (\(initdb.status)): \(initdb.stderr)") }
        let options =
            "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=\(fsync ? "on" : "off") -c max_connections=300 "
            + "-c shared_buffers=128MB"
        let started = try await cluster.runAsOwner(
            "pg_ctl", ["-D", "\(folder)/data", "-l", "\(folder)/server.log", "-o", options, "-w", "-t", "60", "start"])
        guard started.status == 0 else {
            let log = (try? String(contentsOfFile: "\(folder)/server.log", encoding: .utf8)) ?? ""
            throw ClusterError("pg_ctl start failed (\(started.status)): \(started.stderr)\(started.stdout)\n\(log)")
        }
        // Stops the server once this process is gone, however it ended.
        let stop =
            root
            ? "/usr/sbin/runuser -u postgres -- \(bin)/pg_ctl -D \(folder)/data stop -m immediate"
            : "\(bin)/pg_ctl -D \(folder)/data stop -m immediate"
        let watchdog =
            "(while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop); rm -rf \(folder)) "
            + "</dev/null >/dev/null 2>&1 &"
        _ = try await ChildProcess.run("/bin/sh", ["-c", watchdog])
        return cluster
    }
}
