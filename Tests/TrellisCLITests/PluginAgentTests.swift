import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// The shipped `workbench` agent runs through `trellis run` with a Python plugin (sqlite), a POSIX shell plugin
/// (units), a Swift plugin (jsonq) and the real mcp-server-time in one run, and leaves no process behind.
@Suite struct PluginAgentTests {
    static let mcpServerTime = executableOnPath("mcp-server-time")

    /// A workspace holding copies of the shipped agent, trellis.yaml and plugin folders, plus a database.
    static func workbench() async throws -> CLIHarness {
        let repo = CLIHarness.packageRoot
        let cli = try CLIHarness(files: [
            "agents/workbench.yaml": try String(contentsOfFile: repo + "/agents/workbench.yaml", encoding: .utf8),
            "trellis.yaml": try String(contentsOfFile: repo + "/trellis.yaml", encoding: .utf8),
        ])
        try FileManager.default.createDirectory(atPath: cli.root + "/plugins", withIntermediateDirectories: true)
        for plugin in ["sqlite", "units", "jsonq"] {
            try FileManager.default.copyItem(
                atPath: repo + "/plugins/" + plugin, toPath: cli.root + "/plugins/" + plugin)
        }
        try FileManager.default.createDirectory(atPath: cli.root + "/data", withIntermediateDirectories: true)
        let python = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.executescript("create table parcels(id integer primary key, city text, weight_kg real);"
                                 "insert into parcels(city, weight_kg) values ('Kazan', 2.5), ('Tokyo', 4), ('Oslo', 6);")
                db.commit()
                """,
                cli.root + "/data/shop.db",
            ])
        try #require(python.status == 0, "building the database failed: \(python.stderr)")
        return cli
    }

    @Test(
        "one run calls a Python, a shell and a Swift plugin and an MCP server, and no process outlives it",
        .enabled(if: mcpServerTime != nil, "mcp-server-time is not installed (pip install mcp-server-time)"))
    func fourKindsOfToolInOneRun() async throws {
        let cli = try await Self.workbench()
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(
                OpenAIFake.reply(
                    .calls(
                        .init(
                            "query",
                            #"{"database":"data/shop.db","sql":"SELECT count(*) AS n, sum(weight_kg) AS kg FROM parcels"}"#
                        ),
                        .init("convert", #"{"value":12.5,"from":"kg","to":"lb"}"#),
                        .init("jsonq_query", #"{"json":"{\"items\":[1,2,3]}","filter":".items | length"}"#),
                        .init("get_current_time", #"{"timezone":"Asia/Tokyo"}"#)),
                    stream: false),
                OpenAIFake.reply(.text("3 parcels, 12.5 kg (27.56 lb)."), stream: false))
            let bin = (Self.mcpServerTime! as NSString).deletingLastPathComponent
            let outcome = try await cli.run(
                ["run", "workbench", "How heavy are my parcels?", "--json"],
                environment: [
                    "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test",
                    "PATH": "\(bin):/usr/local/bin:/usr/bin:/bin",
                    "TRELLIS_JSONQ": CLIHarness.buildFolder + "/jsonq",
                ])

            #expect(outcome.status == 0, "\(outcome.stderr)")
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["finish_reason"] == "stop")
            let calls = json["tool_calls"]?.arrayValue ?? []
            #expect(calls.map { $0["name"] } == ["query", "convert", "jsonq_query", "get_current_time"])
            #expect(calls.map { $0["is_error"] } == [false, false, false, false], "\(calls)")
            let contents = calls.map { $0["content"]?.stringValue ?? "" }
            try #require(contents.count == 4)
            let rows = try JSONValue.parse(contents[0])["rows"]
            #expect(rows == [[3, 12.5]])
            #expect(try JSONValue.parse(contents[1])["value"]?.doubleValue.map { ($0 * 1000).rounded() } == 27558)
            #expect(contents[2] == "3")
            #expect(try JSONValue.parse(contents[3])["timezone"] == "Asia/Tokyo")
            // The model's second request carries the four results, in call order.
            let second = try JSONValue.parse(try #require(server.requests.last?.body))
            let results = second["messages"]?.arrayValue?.filter { $0["role"] == "tool" } ?? []
            #expect(results.map { $0["tool_call_id"] } == ["call_1", "call_2", "call_3", "call_4"])
        }
        #expect(Self.processes(under: cli.root) == [])
    }

    @Test(
        "trellis tools lists each tool of the agent with its source",
        .enabled(if: mcpServerTime != nil, "mcp-server-time is not installed (pip install mcp-server-time)"))
    func toolsListsSources() async throws {
        let cli = try await Self.workbench()
        let bin = (Self.mcpServerTime! as NSString).deletingLastPathComponent
        let outcome = try await cli.run(
            ["tools", "workbench"],
            environment: [
                "PATH": "\(bin):/usr/local/bin:/usr/bin:/bin", "TRELLIS_JSONQ": CLIHarness.buildFolder + "/jsonq",
            ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = outcome.stdout.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true)
        }
        #expect(
            rows.map { $0.prefix(2).joined(separator: " ") } == [
                "TOOL SOURCE", "tables plugin:sqlite", "query plugin:sqlite", "convert plugin:units",
                "jsonq_query plugin:jsonq",
                "format plugin:jsonq", "get_current_time mcp:time", "convert_time mcp:time", "calculator builtin",
            ])
        #expect(Self.processes(under: cli.root) == [])
    }

    /// Processes whose working directory is inside `root` (plugins and servers run there), as `pid command`.
    static func processes(under root: String) -> [String] {
        let resolved = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.compactMap { pid in
            guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                cwd == resolved || cwd.hasPrefix(resolved + "/")
            else { return nil }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return "\(pid) \(command.replacingOccurrences(of: "\u{0}", with: " "))"
        }
    }

    /// The real `mcp-server-time` script in Python's scripts folder (pip puts it there), not a shim that needs
    /// more of the environment than a scrubbed one; else whatever PATH finds.
    static func executableOnPath(_ name: String) -> String? {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"]
        let pipe = Pipe()
        python.standardOutput = pipe
        var folders: [String] = []
        if (try? python.run()) != nil {
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            python.waitUntilExit()
            folders.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        folders += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
