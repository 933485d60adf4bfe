import Logging
import PostgresNIO

/// The run store's tables, as numbered migrations applied in order at start-up.
///
/// Every process that opens the store takes one advisory lock for the migrations (so two starting at once never
/// apply one twice), reads `trellis_schema_migrations`, applies those it lacks in one transaction, and refuses a
/// database whose schema is newer than it knows. A start that finds every migration applied changes nothing.
enum PostgresSchema {
    /// One step of the schema.
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// The advisory lock held while migrating: `hashtext('trellis.migrations')` would do, a constant needs no query.
    static let lock = 7_310_485_926_433_417

    /// The migrations, oldest first; a new one goes at the end and is never edited once released.
    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "runs and their events",
            statements: [
                """
                CREATE TABLE trellis_runs (
                    position bigserial NOT NULL UNIQUE,
                    id text PRIMARY KEY,
                    agent text NOT NULL,
                    status text NOT NULL,
                    request text NOT NULL,
                    session text,
                    idempotency_key text,
                    attempt bigint NOT NULL DEFAULT 0,
                    interruptions bigint NOT NULL DEFAULT 0,
                    max_attempts bigint NOT NULL,
                    worker text,
                    lease_until double precision,
                    cancel_requested boolean NOT NULL DEFAULT false,
                    state text,
                    result text,
                    pending text,
                    decisions text,
                    last_seq bigint NOT NULL DEFAULT 0,
                    created_at double precision NOT NULL,
                    started_at double precision,
                    finished_at double precision,
                    updated_at double precision NOT NULL)
                """,
                """
                CREATE UNIQUE INDEX trellis_runs_idempotency_key ON trellis_runs (idempotency_key)
                    WHERE idempotency_key IS NOT NULL
                """,
                "CREATE INDEX trellis_runs_claimable ON trellis_runs (position) WHERE status IN ('queued', 'running')",
                "CREATE INDEX trellis_runs_by_status ON trellis_runs (status, position)",
                "CREATE INDEX trellis_runs_by_agent ON trellis_runs (agent, position)",
                "CREATE INDEX trellis_runs_by_session ON trellis_runs (session, position) WHERE session IS NOT NULL",
                "CREATE INDEX trellis_runs_by_worker ON trellis_runs (worker) WHERE status = 'running'",
                """
                CREATE TABLE trellis_run_events (
                    run_id text NOT NULL REFERENCES trellis_runs (id) ON DELETE CASCADE,
                    seq bigint NOT NULL,
                    type text NOT NULL,
                    data text NOT NULL,
                    PRIMARY KEY (run_id, seq))
                """,
            ])
    ]

    /// The newest version this trellis knows.
    static var latest: Int { migrations.last?.version ?? 0 }

    /// Brings the database's schema up to ``latest``.
    ///
    /// - Returns: The versions applied now (empty when the schema was up to date).
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.withTransaction(logger: logger) { connection in
            try await migrateInTransaction(connection, logger: logger)
        }
    }

    private static func migrateInTransaction(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS trellis_schema_migrations (
                version bigint PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var applied: Set<Int> = []
        for try await version in try await connection.query(
            "SELECT version FROM trellis_schema_migrations", logger: logger
        ).decode(Int.self) {
            applied.insert(version)
        }
        if let newest = applied.max(), newest > latest {
            throw PostgresStoreError.schemaTooNew(found: newest, known: latest)
        }
        var now: [Int] = []
        for migration in migrations where !applied.contains(migration.version) {
            for statement in migration.statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                "INSERT INTO trellis_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                logger: logger)
            now.append(migration.version)
        }
        return now
    }
}
