import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// plugins/sqlite (Python): read-only SQL over a database file inside the run's workspace.
struct SQLitePluginTests {
    private func call(_ tool: String, _ arguments: JSONValue, in shop: ShopWorkspace) async throws -> ToolOutput {
        try await ExamplePlugins.call("sqlite", tool, arguments, workspace: shop.workspace)
    }

    private func query(_ sql: String, in shop: ShopWorkspace, database: String = "shop.db") async throws -> ToolOutput {
        try await call("query", ["database": .string(database), "sql": .string(sql)], in: shop)
    }

    @Test("tables lists tables and views with their columns")
    func tables() async throws {
        let shop = try await ShopWorkspace.make()
        let output = try await call("tables", ["database": "shop.db"], in: shop)
        let column = { (name: String, type: String, key: Bool, notNull: Bool) in
            #"{"name": "\#(name)", "type": "\#(type)", "primary_key": \#(key), "not_null": \#(notNull)}"#
        }
        let expected = """
            [{"name": "cheap", "type": "view", "columns": [\(column("name", "TEXT", false, false))]},
             {"name": "items", "type": "table", "columns": [\(column("id", "INTEGER", true, false)),
               \(column("name", "TEXT", false, true)), \(column("price", "REAL", false, false)),
               \(column("note", "BLOB", false, false))]},
             {"name": "numbers", "type": "table", "columns": [\(column("n", "INTEGER", false, false))]}]
            """
        try ExamplePlugins.expectJSON(output, expected)
    }

    @Test("query binds ? parameters and returns columns, rows and truncated")
    func parameters() async throws {
        let shop = try await ShopWorkspace.make()
        let output = try await call(
            "query",
            [
                "database": "shop.db", "sql": "SELECT name, price FROM items WHERE price > ? ORDER BY price",
                "params": [10],
            ], in: shop)
        let expected = #"{"columns": ["name", "price"], "rows": [["lamp", 25.0], ["desk", 120.5]], "truncated": false}"#
        try ExamplePlugins.expectJSON(output, expected)
    }

    @Test("query binds :name parameters from an object, and works through a view")
    func namedParameters() async throws {
        let shop = try await ShopWorkspace.make()
        let named = try await call(
            "query",
            ["database": "shop.db", "sql": "SELECT id FROM items WHERE name = :name", "params": ["name": "pen"]],
            in: shop)
        try ExamplePlugins.expectJSON(named, #"{"columns": ["id"], "rows": [[3]], "truncated": false}"#)
        let view = try await query("SELECT * FROM cheap", in: shop)
        try ExamplePlugins.expectJSON(view, #"{"columns": ["name"], "rows": [["pen"]], "truncated": false}"#)
    }

    @Test("at most max_rows rows (default 100) come back, and truncated says there were more")
    func maxRows() async throws {
        let shop = try await ShopWorkspace.make()
        let byDefault = try ExamplePlugins.json(try await query("SELECT n FROM numbers ORDER BY n", in: shop))
        #expect(byDefault["rows"]?.arrayValue?.count == 100)
        #expect(byDefault["rows"]?.arrayValue?.last == [100])
        #expect(byDefault["truncated"] == true)
        let limited = try await call(
            "query", ["database": "shop.db", "sql": "SELECT n FROM numbers ORDER BY n", "max_rows": 2], in: shop)
        try ExamplePlugins.expectJSON(limited, #"{"columns": ["n"], "rows": [[1], [2]], "truncated": true}"#)
        let exact = try await call(
            "query", ["database": "shop.db", "sql": "SELECT n FROM numbers WHERE n <= 3", "max_rows": 3], in: shop)
        #expect(try ExamplePlugins.json(exact)["truncated"] == false)
    }

    @Test("NULL is null, a blob is base64 with its size")
    func nullsAndBlobs() async throws {
        let shop = try await ShopWorkspace.make()
        let output = try await query("SELECT name, note FROM items WHERE id <= 2 ORDER BY id", in: shop)
        let expected = """
            {"columns": ["name", "note"], "truncated": false,
             "rows": [["lamp", null], ["desk", {"blob_base64": "AP8Q", "bytes": 3}]]}
            """
        try ExamplePlugins.expectJSON(output, expected)
    }

    @Test(
        "writes fail because the file is opened read-only, and the data stays as it was",
        arguments: [
            "DELETE FROM items", "INSERT INTO items (name) VALUES ('x')", "CREATE TABLE t (x)", "DROP TABLE numbers",
            "UPDATE items SET price = 0",
        ])
    func readOnly(sql: String) async throws {
        let shop = try await ShopWorkspace.make()
        let output = try await query(sql, in: shop)
        #expect(
            output == .error("SQL error: attempt to write a readonly database (this tool opens databases read-only)"))
        let count = try await query("SELECT count(*) FROM items", in: shop)
        #expect(try ExamplePlugins.json(count)["rows"] == [[3]])
    }

    @Test("ATTACH and VACUUM INTO, which could reach files outside the workspace, are refused")
    func attachRefused() async throws {
        let shop = try await ShopWorkspace.make()
        let attach = try await query("ATTACH DATABASE '\(shop.outside)/secret.db' AS other", in: shop)
        #expect(attach == .error("SQL error: not authorized (ATTACH, DETACH and VACUUM INTO are not allowed)"))
        let vacuum = try await query("VACUUM INTO '\(shop.outside)/copy.db'", in: shop)
        #expect(vacuum == .error("SQL error: authorization denied (ATTACH, DETACH and VACUUM INTO are not allowed)"))
        #expect(!FileManager.default.fileExists(atPath: shop.outside + "/copy.db"))
    }

    @Test(
        "SQL mistakes come back as errors with SQLite's message",
        arguments: [
            ("SELEC 1", #"SQL error: near "SELEC": syntax error"#),
            ("SELECT nope FROM items", "SQL error: no such column: nope"),
            ("SELECT * FROM missing", "SQL error: no such table: missing"),
            ("SELECT 1; SELECT 2", "SQL error: only one SQL statement per call is allowed"),
            ("SELECT ?", "SQL error: Incorrect number of bindings supplied."),
        ])
    func sqlErrors(sql: String, message: String) async throws {
        let shop = try await ShopWorkspace.make()
        let output = try await query(sql, in: shop)
        // A prefix: Python words the end of some messages differently between versions.
        #expect(output.isError)
        #expect(output.content.hasPrefix(message), "\(output.content)")
    }

    @Test(
        "paths that leave the workspace, or name no database, are refused",
        arguments: [
            ("/etc/passwd", "'database' must be relative to the workspace, not absolute: /etc/passwd"),
            ("../outside/secret.db", "'database' may not contain '..': ../outside/secret.db"),
            ("data/../../outside/secret.db", "'database' may not contain '..': data/../../outside/secret.db"),
            ("escape.db", "'database' resolves outside the workspace (through a symbolic link): escape.db"),
            ("missing.db", "no such database in the workspace: missing.db"),
            ("data", "not a file: data"),
            ("notes.txt", "cannot open notes.txt as an SQLite database: file is not a database"),
            ("", "'database' must be a non-empty path relative to the workspace"),
        ])
    func badPaths(database: String, message: String) async throws {
        let shop = try await ShopWorkspace.make()
        #expect(try await query("SELECT 1", in: shop, database: database) == .error(message))
        let tables = try await call("tables", ["database": .string(database)], in: shop)
        #expect(tables == .error(message))
    }

    @Test("a subfolder path and a symbolic link that stays inside the workspace work")
    func insidePaths() async throws {
        let shop = try await ShopWorkspace.make()
        for database in ["data/shop.db", "alias.db", "./shop.db"] {
            let output = try await query("SELECT count(*) AS n FROM items", in: shop, database: database)
            try ExamplePlugins.expectJSON(output, #"{"columns": ["n"], "rows": [[3]], "truncated": false}"#)
        }
    }

    @Test("a call without a workspace is an error, not a guess")
    func noWorkspace() async throws {
        let output = try await ExamplePlugins.call("sqlite", "tables", ["database": "shop.db"], workspace: nil)
        #expect(
            output == .error("no workspace in the request context; the database path has nothing to be relative to"))
    }
}

/// A workspace with shop.db (items, the view cheap, numbers 1...150), data/shop.db (a copy), alias.db (a link to
/// shop.db), notes.txt, and escape.db, a link to secret.db in a folder outside the workspace. Removed on deinit.
final class ShopWorkspace: Sendable {
    let base: String
    var workspace: String { base + "/workspace" }
    var outside: String { base + "/outside" }

    private static let script = """
        import os, shutil, sqlite3, sys
        workspace, outside = sys.argv[1], sys.argv[2]
        shop = sqlite3.connect(os.path.join(workspace, "shop.db"))
        shop.executescript('''
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, note BLOB);
        INSERT INTO items (name, price, note) VALUES ('lamp', 25, NULL), ('desk', 120.5, x'00ff10'), ('pen', 2, NULL);
        CREATE VIEW cheap AS SELECT name FROM items WHERE price < 10;
        CREATE TABLE numbers (n INTEGER);
        WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 150) INSERT INTO numbers SELECT n FROM s;
        ''')
        shop.close()
        shutil.copy(os.path.join(workspace, "shop.db"), os.path.join(workspace, "data", "shop.db"))
        secret = sqlite3.connect(os.path.join(outside, "secret.db"))
        secret.executescript("CREATE TABLE secret (s TEXT); INSERT INTO secret VALUES ('top secret');")
        secret.close()
        """

    private init() throws {
        base = NSTemporaryDirectory() + "trellis-sqlite-\(UUID().uuidString)"
        for folder in ["workspace/data", "outside"] {
            try FileManager.default.createDirectory(atPath: base + "/" + folder, withIntermediateDirectories: true)
        }
    }

    /// Builds the workspace with python3 (which the plugin needs anyway).
    static func make() async throws -> ShopWorkspace {
        let shop = try ShopWorkspace()
        let python = ProcessInfo.processInfo.environment["TRELLIS_PYTHON"] ?? "python3"
        let run = try await ChildProcess.run("/usr/bin/env", [python, "-c", script, shop.workspace, shop.outside])
        try #require(run.status == 0, "building the fixture database failed: \(run.stderr)")
        try "just text".write(toFile: shop.workspace + "/notes.txt", atomically: true, encoding: .utf8)
        let files = FileManager.default
        try files.createSymbolicLink(atPath: shop.workspace + "/alias.db", withDestinationPath: "shop.db")
        try files.createSymbolicLink(
            atPath: shop.workspace + "/escape.db", withDestinationPath: shop.outside + "/secret.db")
        return shop
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }
}
