import Foundation
import Testing
import TrellisCore
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A signal stops `trellis` cleanly: plugin process groups are killed (a terminal's Ctrl-C never reaches them,
/// they have groups of their own), a run prints what it has, and the exit status is 128 + the signal.
@Suite struct InterruptionTests {
    /// A plugin whose one tool starts a child and waits for it; it writes its pid and its parent's (trellis).
    static let manifest = """
        protocol: 1
        command: ./nap.sh
        timeout: 60s
        env: [NAP_PIDS]
        tools:
          - name: nap
            description: Sleeps for a long time.
            parameters: {type: object}

        """
    static let script = """
        #!/bin/sh
        sleep 50 &
        echo "$$ $PPID" > "$NAP_PIDS.tmp" && mv "$NAP_PIDS.tmp" "$NAP_PIDS"
        wait

        """

    private func workspace() throws -> CLIHarness {
        let cli = try CLIHarness(files: [
            "plugins/nap/plugin.yaml": Self.manifest, "plugins/nap/nap.sh": Self.script,
            "agents/napper.yaml": "model: openai/gpt-4o-mini\ntools: [{plugin: nap}]\n",
        ])
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/nap/nap.sh")
        return cli
    }

    /// Waits for the plugin to report its pid and trellis's, then sends `signal` to trellis.
    private func signalTrellis(_ signal: Int32, once pidsFile: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: pidsFile) {
            try #require(ContinuousClock.now < deadline, "the plugin never started")
            try await Task.sleep(for: .milliseconds(20))
        }
        let pids = try String(contentsOfFile: pidsFile, encoding: .utf8).split(separator: " ")
        let trellis = try #require(pids.last.flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(kill(trellis, signal) == 0)
    }

    @Test("Ctrl-C during a tool call: the plugin's group is killed, --json prints the cancelled run, exit 130")
    func interruptedRun() async throws {
        let cli = try workspace()
        let pidsFile = cli.root + "/nap.pids"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(OpenAIFake.reply(.calls(.init("nap", "{}")), stream: false))
            async let outcome = cli.run(
                ["run", "napper", "take a nap", "--json"],
                environment: [
                    "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test",
                    "NAP_PIDS": pidsFile,
                ])
            try await signalTrellis(SIGINT, once: pidsFile)
            let run = try await outcome

            #expect(run.status == 130, "\(run.stderr)")
            #expect(run.stderr.contains("trellis: SIGINT, stopping tools and servers (again to exit now)\n"))
            let json = try JSONValue.parse(run.stdout)
            #expect(json["finish_reason"] == "cancelled")
            let call = try #require(json["tool_calls"]?.arrayValue?.first)
            #expect(call["name"] == "nap")
            #expect(call["content"] == "not finished: the run was cancelled")
            #expect(call["is_error"] == true)
            #expect(PluginAgentTests.processes(under: cli.root) == [])
        }
    }

    @Test(
        "Ctrl-C also stops the MCP servers the run started",
        .enabled(
            if: PluginAgentTests.mcpServerTime != nil, "mcp-server-time is not installed (pip install mcp-server-time)")
    )
    func interruptedRunStopsServers() async throws {
        let cli = try await PluginAgentTests.workbench()
        for (path, text) in [
            "plugins/nap/plugin.yaml": Self.manifest, "plugins/nap/nap.sh": Self.script,
            "agents/napper.yaml": "model: openai/gpt-4o-mini\ntools: [{plugin: nap}, {mcp: time}]\n",
        ] {
            try FileManager.default.createDirectory(
                atPath: cli.root + "/" + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true
            )
            try text.write(toFile: cli.root + "/" + path, atomically: true, encoding: .utf8)
        }
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/nap/nap.sh")
        let pidsFile = cli.root + "/nap.pids"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(OpenAIFake.reply(.calls(.init("nap", "{}")), stream: false))
            let bin = (PluginAgentTests.mcpServerTime! as NSString).deletingLastPathComponent
            async let outcome = cli.run(
                ["run", "napper", "take a nap", "--json"],
                environment: [
                    "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test",
                    "NAP_PIDS": pidsFile, "PATH": "\(bin):/usr/local/bin:/usr/bin:/bin",
                ])
            try await signalTrellis(SIGINT, once: pidsFile)
            let run = try await outcome

            #expect(run.status == 130, "\(run.stderr)")
            let offered = server.requests.first?.json?["tools"]?.arrayValue?.compactMap {
                $0["function"]?["name"]?.stringValue
            }
            #expect(offered == ["nap", "get_current_time", "convert_time"])
            #expect(try JSONValue.parse(run.stdout)["finish_reason"] == "cancelled")
            #expect(PluginAgentTests.processes(under: cli.root) == [])
        }
    }

    @Test("SIGKILL of trellis run during a tool call: the plugin and its child do not outlive it")
    func killedRun() async throws {
        let cli = try workspace()
        let pidsFile = cli.root + "/nap.pids"
        try await FakeVendorServer.withServer { server in
            OpenAIFake.install(on: server, key: "sk-test")
            server.enqueue(OpenAIFake.reply(.calls(.init("nap", "{}")), stream: false))
            async let outcome = cli.run(
                ["run", "napper", "take a nap"],
                environment: [
                    "OPENAI_BASE_URL": OpenAIFake.baseURL(of: server), "OPENAI_API_KEY": "sk-test",
                    "NAP_PIDS": pidsFile,
                ])
            try await signalTrellis(SIGKILL, once: pidsFile)
            let run = try await outcome
            #expect(run.status == SIGKILL)
            let plugin = try #require(
                try String(contentsOfFile: pidsFile, encoding: .utf8).split(separator: " ").first.flatMap { Int32($0) })
            let gone = await Poll.until(timeout: .seconds(30)) {
                PluginAgentTests.processes(under: cli.root).isEmpty
            }
            #expect(gone, "left behind: \(PluginAgentTests.processes(under: cli.root))")
            if !gone { kill(-plugin, SIGKILL) }
        }
    }

    @Test("SIGTERM during tool call: the plugin's group is killed, the call reports it, exit 143")
    func terminatedToolCall() async throws {
        let cli = try workspace()
        let pidsFile = cli.root + "/nap.pids"
        async let outcome = cli.run(["tool", "call", "nap", "--args", "{}"], environment: ["NAP_PIDS": pidsFile])
        try await signalTrellis(SIGTERM, once: pidsFile)
        let call = try await outcome

        #expect(call.status == 143, "\(call.stderr)")
        #expect(call.stdout == "tool 'nap' did not finish: the call was cancelled\n")
        #expect(call.stderr == "\ntrellis: SIGTERM, stopping tools and servers (again to exit now)\n")
        #expect(PluginAgentTests.processes(under: cli.root) == [])
    }
}
