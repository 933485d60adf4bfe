import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TrellisCore
import TrellisPostgres
import TrellisRuntime
import TrellisTesting

/// What only the PostgreSQL store does: its schema migrations, its NOTIFY-driven changes, and reading its
/// connection settings from a URL and the `PG*` variables.
@Suite(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (apt-get install postgresql)"))
struct PostgresStoreTests {
    /// The schema as the catalog describes it: tables, columns, indexes and the applied migrations.
    private func schema(_ url: String) async throws -> [String] {
        let location = try PostgresLocation(url: url)
        let client = PostgresClient(
            configuration: PostgresClient.Configuration(
                host: location.host ?? "127.0.0.1", port: location.port, username: location.user, password: nil,
                database: location.database, tls: .disable), backgroundLogger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            var lines: [String] = []
            let queries: [PostgresQuery] = [
                """
                SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
                WHERE table_schema = 'public' ORDER BY 1
                """,
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
                "SELECT version || ' ' || name || ' ' || applied_at::text FROM trellis_schema_migrations ORDER BY 1",
            ]
            for query in queries {
                for try await line in try await client.query(query).decode(String.self) { lines.append(line) }
            }
            return lines
        }
    }

    @Test("migrations from empty create the tables; a second start changes nothing; a newer schema is refused")
    func migrations() async throws {
        let url = try await PostgresCluster.shared().createDatabase()
        let location = try PostgresLocation(url: url)
        try await PostgresRunStore.withStore(location) { store in
            _ = try await store.submit(RunSubmission(id: "run_1", agent: "a", request: ["input": "hi"]), maxQueued: nil)
        }
        let first = try await schema(url)
        #expect(first.contains { $0.hasPrefix("1 runs and their events ") })
        #expect(first.contains("trellis_runs.lease_until double precision"))
        #expect(first.contains { $0.contains("UNIQUE INDEX trellis_runs_idempotency_key") })
        try await PostgresRunStore.withStore(location) { store in
            let run = try await store.run("run_1")
            #expect(run?.status == .queued)
        }
        #expect(try await schema(url) == first)

        let psql = try await ChildProcess.run(
            "/usr/bin/env",
            ["psql", url, "-c", "INSERT INTO trellis_schema_migrations (version, name) VALUES (99, 'from the future')"])
        try #require(psql.status == 0, "\(psql.stderr)")
        await #expect(throws: PostgresStoreError.schemaTooNew(found: 99, known: 1)) {
            try await PostgresRunStore.withStore(location) { _ in }
        }
        #expect(
            PostgresStoreError.schemaTooNew(found: 99, known: 1).description
                == "the database's trellis schema is version 99, and this trellis knows versions up to 1; "
                + "upgrade trellis, or use another database")
    }

    @Test("four processes starting at once on an empty database migrate it once")
    func concurrentMigrations() async throws {
        let url = try await PostgresCluster.shared().createDatabase()
        let location = try PostgresLocation(url: url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<4 {
                group.addTask {
                    try await PostgresRunStore.withStore(location) { store in
                        _ = try await store.submit(
                            RunSubmission(id: "run_\(index)", agent: "a", request: ["input": "hi"]), maxQueued: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let lines = try await schema(url)
        #expect(lines.filter { $0.hasPrefix("1 runs and their events") }.count == 1)
    }

    @Test("a watcher hears of runs queued, events stored and cancellations asked for by another process")
    func notifications() async throws {
        let location = try PostgresLocation(url: try await PostgresCluster.shared().createDatabase())
        let heard = Heard()
        try await PostgresRunStore.withStore(location) { watching in
            try await PostgresRunStore.withStore(location) { other in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await watching.watch { change in heard.changes.withLock { $0.append(change) } }
                    }
                    // The watcher starts by reporting `queued` once it listens.
                    #expect(await Poll.until(timeout: .seconds(10)) { heard.changes.withLock { !$0.isEmpty } })
                    heard.changes.withLock { $0 = [] }
                    _ = try await other.submit(
                        RunSubmission(id: "run_1", agent: "a", request: ["input": "hi"]), maxQueued: nil)
                    let claim = try #require(
                        try await other.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first)
                    try await other.record(
                        claim, events: [RunEventRecord(sequence: 1, type: "run.started", data: [:])], state: nil)
                    _ = try await other.cancel("run_1")
                    let all: [RunStoreChange] = [
                        .queued, .events(runID: "run_1", last: 1), .cancelRequested(runID: "run_1"),
                    ]
                    #expect(await Poll.until(timeout: .seconds(10)) { heard.changes.withLock { $0 == all } })
                    #expect(heard.changes.withLock { $0 } == all)
                    group.cancelAll()
                }
            }
        }
    }

    @Test("connection settings come from the URL first, then PG* variables, then libpq's defaults")
    func location() throws {
        let environment = [
            "PGHOST": "db.internal", "PGPORT": "6543", "PGUSER": "ops", "PGPASSWORD": "secret", "PGDATABASE": "runs",
            "PGSSLMODE": "require",
        ]
        let fromEnvironment = try PostgresLocation(url: "postgres://", environment: environment)
        #expect(fromEnvironment.host == "db.internal")
        #expect(fromEnvironment.port == 6543)
        #expect(fromEnvironment.user == "ops")
        #expect(fromEnvironment.password == "secret")
        #expect(fromEnvironment.database == "runs")
        #expect(fromEnvironment.sslMode == .require)
        #expect(fromEnvironment.description == "postgres://ops@db.internal:6543/runs")

        let fromURL = try PostgresLocation(
            url: "postgresql://trellis:p%40ss@10.0.0.5:5433/prod?sslmode=verify-full&application_name=api",
            environment: environment)
        #expect(fromURL.host == "10.0.0.5")
        #expect(fromURL.port == 5433)
        #expect(fromURL.user == "trellis")
        #expect(fromURL.password == "p@ss")
        #expect(fromURL.database == "prod")
        #expect(fromURL.sslMode == .verifyFull)
        #expect(fromURL.applicationName == "api")
        #expect(!fromURL.description.contains("p@ss"))

        let socket = try PostgresLocation(url: "postgres:///trellis?host=/var/run/postgresql", environment: [:])
        #expect(socket.socketFolder == "/var/run/postgresql")
        #expect(socket.description.hasSuffix("@/var/run/postgresql/.s.PGSQL.5432/trellis"))

        #expect(
            throws: PostgresStoreError.invalidURL(
                "sslmode 'always' is not one of disable, allow, prefer, require, verify-ca, verify-full")
        ) {
            try PostgresLocation(url: "postgres://h/db?sslmode=always", environment: [:])
        }
        #expect(throws: PostgresStoreError.self) {
            try PostgresLocation(url: "postgres://h/db?colour=red", environment: [:])
        }
        do {
            _ = try PostgresLocation(url: "mysql://root:hunter2@h/db", environment: [:])
            Issue.record("a mysql URL was accepted")
        } catch {
            #expect("\(error)".contains("is not a postgres:// URL"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test("TLS: sslmode=require encrypts; verify-full trusts only the sslrootcert that signed the server's certificate")
    func tls() async throws {
        let cluster = try await PostgresCluster.shared()
        let (certificate, stranger) = try await cluster.enableTLS()
        let url = try await cluster.createDatabase()
        func location(_ settings: String) throws -> PostgresLocation {
            try PostgresLocation(url: url.replacingOccurrences(of: "sslmode=disable", with: settings), environment: [:])
        }
        try await PostgresRunStore.withStore(try location("sslmode=require&application_name=tls-require")) { store in
            _ = try await store.counts()
            let encrypted = try await ChildProcess.run(
                "/usr/bin/env",
                [
                    "psql", url, "-XAtc",
                    "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                        + "WHERE ssl AND application_name = 'tls-require'",
                ])
            #expect(encrypted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0", "\(encrypted)")
        }
        try await PostgresRunStore.withStore(try location("sslmode=verify-full&sslrootcert=\(certificate)")) { store in
            let counts = try await store.counts()
            #expect(counts == [:])
        }
        do {
            try await PostgresRunStore.withStore(try location("sslmode=verify-full&sslrootcert=\(stranger)")) { _ in }
            Issue.record("a server whose certificate another CA signed was trusted")
        } catch {
            #expect("\(error)".contains("could not connect to PostgreSQL"), "\(error)")
            #expect("\(error)".lowercased().contains("certificate"), "\(error)")
        }
        #expect(throws: PostgresStoreError.self) { try location("sslmode=require&sslrootcert=/nonexistent.pem") }
    }

    @Test("a server that is not there is named in the error, without the password")
    func unreachable() async throws {
        let port = FreePort.next()
        let location = try PostgresLocation(
            url: "postgres://u:hunter2@127.0.0.1:\(port)/db?sslmode=disable&connect_timeout=2", environment: [:])
        do {
            try await PostgresRunStore.withStore(location) { _ in }
            Issue.record("opening a store on a closed port succeeded")
        } catch {
            #expect("\(error)".contains("could not connect to PostgreSQL (postgres://u@127.0.0.1:\(port)/db)"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}

/// The changes a watcher heard.
private final class Heard: Sendable {
    let changes = Mutex<[RunStoreChange]>([])
}
