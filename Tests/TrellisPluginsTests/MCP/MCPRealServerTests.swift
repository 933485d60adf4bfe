import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisTesting

/// The MCP client against the real servers from PyPI (`pip install mcp-server-time mcp-server-git`); each test is
/// skipped only when the server is not on PATH.
@Suite(.serialized)
struct MCPRealServerTests {
    /// Start-up speed is not what these tests check, and a Python server importing its SDK on a loaded 2-core
    /// machine can take many seconds: a generous start-up limit keeps them about behaviour.
    static let startupTimeout: Duration = .seconds(60)
    static let time = MCPServerSettings(
        name: "time", command: "mcp-server-time", arguments: ["--local-timezone", "UTC"],
        startupTimeout: startupTimeout)
    static let hasTime = MCPTestSupport.onPath("mcp-server-time")
    static let hasGit = MCPTestSupport.onPath("mcp-server-git")

    @Test(
        "mcp-server-time: get_current_time and convert_time answer",
        .enabled(if: hasTime, "mcp-server-time is not installed (pip install mcp-server-time)"))
    func timeTools() async throws {
        let pid = try await MCPServerPool.withPool([Self.time]) { pool in
            let tools = try await pool.tools(of: "time")
            #expect(tools.map(\.definition.name) == ["get_current_time", "convert_time"])
            let info = try await pool.info(of: "time")
            #expect(info.protocolVersion == "2025-11-25")

            let now = try await pool.call("get_current_time", of: "time", #"{"timezone":"Asia/Tokyo"}"#)
            #expect(!now.isError, "\(now.content)")
            let reading = try JSONValue.parse(now.content)
            #expect(reading["timezone"] == "Asia/Tokyo")
            #expect(reading["datetime"]?.stringValue?.hasSuffix("+09:00") == true, "\(now.content)")

            let converted = try await pool.call(
                "convert_time", of: "time",
                #"{"source_timezone":"UTC","time":"12:00","target_timezone":"Asia/Tokyo"}"#)
            #expect(!converted.isError, "\(converted.content)")
            let conversion = try JSONValue.parse(converted.content)
            #expect(conversion["target"]?["timezone"] == "Asia/Tokyo")
            #expect(conversion["target"]?["datetime"]?.stringValue?.contains("T21:00:00+09:00") == true)
            #expect(conversion["time_difference"] == "+9.0h")
            return info.processID
        }
        #expect(MCPTestSupport.isGone(pid))
    }

    @Test(
        "mcp-server-time: an unknown tool (JSON-RPC -32602) and a bad time zone (isError) are error results",
        .enabled(if: hasTime, "mcp-server-time is not installed (pip install mcp-server-time)"))
    func timeErrors() async throws {
        try await MCPServerPool.withPool([Self.time]) { pool in
            var unknown = try await pool.tool("get_current_time", of: "time")
            unknown.remoteName = "get_current_weather"
            let output = try await unknown.execute(arguments: [:], context: testContext)
            #expect(
                output
                    == .error(
                        "MCP server 'time', tool 'get_current_weather': error -32602: Unknown tool: get_current_weather"
                    ))

            let mars = try await pool.call("get_current_time", of: "time", #"{"timezone":"Mars/Olympus_Mons"}"#)
            #expect(
                mars
                    == .error(
                        "MCP server 'time', tool 'get_current_time': Error executing tool get_current_time: "
                            + "Invalid timezone: 'No time zone found with key Mars/Olympus_Mons'"))
        }
    }

    @Test(
        "mcp-server-git: 12 tools, and git_status of a fresh repository",
        .enabled(if: hasGit, "mcp-server-git is not installed (pip install mcp-server-git)"))
    func gitStatus() async throws {
        let tree = try TemporaryTree()
        let repository = tree.root
        try await runGit(["init", "-q", repository])
        try "hello".write(toFile: repository + "/notes.txt", atomically: true, encoding: .utf8)
        let git = MCPServerSettings(
            name: "git", command: "mcp-server-git", arguments: ["--repository", repository],
            startupTimeout: Self.startupTimeout)
        try await MCPServerPool.withPool([git]) { pool in
            let tools = try await pool.tools(of: "git")
            #expect(tools.count == 12)
            #expect(tools.contains { $0.definition.name == "git_status" })
            let status = try await pool.call("git_status", of: "git", #"{"repo_path":"\#(repository)"}"#)
            #expect(!status.isError, "\(status.content)")
            #expect(status.content.hasPrefix("Repository status:\nOn branch "), "\(status.content)")
            #expect(status.content.contains("No commits yet"), "\(status.content)")
            #expect(status.content.contains("Untracked files:"), "\(status.content)")
            #expect(status.content.contains("\tnotes.txt\n"), "\(status.content)")
        }
    }

    private func runGit(_ arguments: [String]) async throws {
        let git = try await ChildProcess.run("/usr/bin/env", ["git"] + arguments)
        try #require(git.status == 0, "git \(arguments) failed: \(git.stderr)")
    }
}
