import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// Server processes: lazy start, sharing, deaths and restarts, start-up failures, stopping, stderr.
@Suite(.serialized)
struct MCPLifecycleTests {
    @Test("a server that dies fails the call, is restarted once, and after a second death is reported")
    func restartOnce() async throws {
        let pids = PIDFile()
        try await MCPServerPool.withPool([MCPTestSupport.fixture("crashy", pids.flags)]) { pool in
            let crash = try await pool.tool("crash", of: "crashy")
            let echo = try await pool.tool("echo", of: "crashy")
            let died = "the server exited with status 3\nstderr:\nfatal: crashing on purpose"
            let crashed = try await crash.execute(arguments: [:], context: testContext)
            #expect(crashed == .error("MCP server 'crashy', tool 'crash': \(died)"))
            #expect(try await echo.execute(arguments: ["text": "back"], context: testContext) == ToolOutput("back"))
            let crashedAgain = try await crash.execute(arguments: [:], context: testContext)
            #expect(crashedAgain == .error("MCP server 'crashy', tool 'crash': \(died)"))
            let notRestarted = "the server is not restarted after failing twice; last failure: \(died)"
            let after = try await echo.execute(arguments: ["text": "again"], context: testContext)
            #expect(after == .error("MCP server 'crashy', tool 'echo': \(notRestarted)"))
            #expect(await errorText { try await pool.tools(of: "crashy") } == "MCP server 'crashy': \(notRestarted)")
        }
        #expect(pids.pids.count == 2)
        #expect(pids.pids.allSatisfy(MCPTestSupport.isGone))
    }

    @Test("calls in flight when the server dies fail with its exit status")
    func inFlightCallsFail() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let sleep = try await pool.tool("sleep", of: "fixture")
            let crash = try await pool.tool("crash", of: "fixture")
            async let slow = sleep.execute(arguments: ["seconds": 5], context: testContext)
            async let crashing = crash.execute(arguments: ["seconds": 0.5], context: testContext)
            let died = "the server exited with status 3\nstderr:\nfatal: crashing on purpose"
            #expect(try await slow == .error("MCP server 'fixture', tool 'sleep': \(died)"))
            #expect(try await crashing == .error("MCP server 'fixture', tool 'crash': \(died)"))
        }
    }

    @Test("a server that never answers initialize times out, is tried once more, then reported")
    func startupTimeout() async throws {
        let pids = PIDFile()
        // Long enough for Python to start and say it ignores initialize on a loaded machine (1 s was not, in CI).
        let mute = await MCPTestSupport.fixture("mute", ["--mute"] + pids.flags, startupTimeout: .seconds(4))
        try await MCPServerPool.withPool([mute]) { pool in
            let timedOut =
                "MCP server 'mute': the server did not start within 4 s (no answer to initialize)\n"
                + "stderr:\nmute: ignoring initialize"
            #expect(await errorText { try await pool.tools(of: "mute") } == timedOut)
            #expect(await errorText { try await pool.tools(of: "mute") } == timedOut)
            #expect(
                await errorText { try await pool.tools(of: "mute") }
                    == "MCP server 'mute': the server is not restarted after failing twice; last failure: "
                    + "the server did not start within 4 s (no answer to initialize)\nstderr:\nmute: ignoring initialize"
            )
        }
        #expect(pids.pids.count == 2)
        #expect(pids.pids.allSatisfy(MCPTestSupport.isGone))
    }

    @Test("a server that exits at start is reported with its status and stderr")
    func exitAtStart() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture("broken", ["--exit-at-start", "2"])]) { pool in
            #expect(
                await errorText { try await pool.tools(of: "broken") }
                    == "MCP server 'broken': the server exited with status 2 before answering initialize\n"
                    + "stderr:\nbad configuration")
        }
    }

    @Test("a command that does not exist is reported")
    func missingCommand() async throws {
        let missing = MCPServerSettings(name: "ghost", command: "no-such-mcp-server")
        try await MCPServerPool.withPool([missing]) { pool in
            #expect(
                await errorText { try await pool.tools(of: "ghost") }
                    == "MCP server 'ghost': the server could not be started: "
                    + "'no-such-mcp-server' was not found or cannot be executed")
        }
    }

    @Test("20 concurrent calls through one pool share one process, from a cold start")
    func concurrentCallsShareOneProcess() async throws {
        let pids = PIDFile()
        let (pid, echoes) = try await MCPServerPool.withPool([MCPTestSupport.fixture("shared", pids.flags)]) { pool in
            try await withThrowingTaskGroup(of: (String, String).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let pid = try await pool.call("pid", of: "shared").content
                        let echo = try await pool.call("echo", of: "shared", #"{"text":"call \#(index)"}"#).content
                        return (pid, echo)
                    }
                }
                var results: [(String, String)] = []
                for try await result in group { results.append(result) }
                let info = try await pool.info(of: "shared")
                #expect(Set(results.map(\.0)) == ["\(info.processID)"])
                return (info.processID, Set(results.map(\.1)))
            }
        }
        #expect(echoes == Set((0..<20).map { "call \($0)" }))
        #expect(pids.pids == [pid])
        #expect(MCPTestSupport.isGone(pid))
    }

    @Test("a server that ignores the end of stdin and SIGTERM is killed when the pool ends")
    func stubbornServerIsKilled() async throws {
        let pids = PIDFile()
        let stubborn = await MCPTestSupport.fixture("stubborn", ["--ignore-stop"] + pids.flags)
        try await MCPServerPool.withPool([stubborn], stopGrace: .milliseconds(200)) { pool in
            let output = try await pool.call("echo", of: "stubborn", #"{"text":"hi"}"#)
            #expect(output == ToolOutput("hi"))
        }
        #expect(pids.pids.count == 1)
        #expect(pids.pids.allSatisfy(MCPTestSupport.isGone))
    }

    @Test("a child the server leaves behind is killed with its process group")
    func leftoverChildIsKilled() async throws {
        let pids = PIDFile()
        try await MCPServerPool.withPool([MCPTestSupport.fixture("parent", ["--spawn-sleeper"] + pids.flags)]) { pool in
            let output = try await pool.call("echo", of: "parent", #"{"text":"hi"}"#)
            #expect(output == ToolOutput("hi"))
        }
        let started = pids.pids
        try #require(started.count == 2)
        #expect(MCPTestSupport.isGone(started[0]))
        #expect(await MCPTestSupport.isGoneSoon(started[1]))
    }

    @Test("the server gets only the passed-through variables, its env: map and its working directory")
    func environment() async throws {
        let folder = try TemporaryTree()
        var server = await MCPTestSupport.fixture("env")
        server.environment = ["TZ": "Asia/Tokyo", "HOME": "/home/override"]
        server.workingDirectory = folder.root
        let ours = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/home/tester",
            "LANG": "C.UTF-8", "USER": "tester", "OPENAI_API_KEY": "sk-secret", "LD_PRELOAD": "/evil.so",
        ]
        try await MCPServerPool.withPool([server], environment: ours) { pool in
            let output = try await pool.call("environment", of: "env")
            let reported = try JSONValue.parse(output.content)
            let variables = try #require(reported["variables"]?.objectValue)
            #expect(Set(variables.keys) == ["PATH", "HOME", "LANG", "USER", "TZ", "TRELLIS_SPAWN"])
            #expect(variables["TRELLIS_SPAWN"]?.stringValue?.hasPrefix(SpawnMark.instance + "_") == true)
            #expect(variables["HOME"] == "/home/override")
            #expect(variables["TZ"] == "Asia/Tokyo")
            #expect(variables["USER"] == "tester")
            let cwd = try #require(reported["cwd"]?.stringValue)
            #expect(
                URL(fileURLWithPath: cwd).resolvingSymlinksInPath()
                    == URL(fileURLWithPath: folder.root).resolvingSymlinksInPath())
        }
    }

    @Test("1 MB of stderr neither blocks the server nor floods the error, which keeps the last lines")
    func stderrFlood() async throws {
        let flooding = await MCPTestSupport.fixture("noisy", ["--stderr-flood", "1000000"])
        try await MCPServerPool.withPool([flooding]) { pool in
            #expect(try await pool.call("flood", of: "noisy") == ToolOutput("flooded"))
            let crash = try await pool.call("crash", of: "noisy")
            let tail = String(repeating: "y", count: 1023) + "\nflood done\nfatal: crashing on purpose"
            #expect(
                crash == .error("MCP server 'noisy', tool 'crash': the server exited with status 3\nstderr:\n\(tail)"))
        }
    }

    @Test("a tool used after its pool has ended returns an error result")
    func toolAfterPool() async throws {
        let echo = try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            try await pool.tool("echo", of: "fixture")
        }
        let output = try await echo.execute(arguments: ["text": "late"], context: testContext)
        #expect(output == .error("MCP server 'fixture', tool 'echo': the MCP server pool is closed"))
    }
}
