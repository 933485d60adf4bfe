import Foundation
import Testing
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `trellis validate` checks definitions whole: every problem of a file in one run, tool settings, tool names in
/// `tool_choice` and `stop_at_tools`, `{{param}}` names, and with `--deep` what only running MCP servers tell.
@Suite(.serialized) struct ValidateCommandTests {
    /// The fixture MCP server of the plugin tests (standard-library Python).
    static let fixtureServer = CLIHarness.packageRoot + "/Tests/TrellisPluginsTests/Fixtures/mcp/fixture_server.py"
    static let hasPython = ["/usr/bin/python3", "/bin/python3"].contains {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// stderr with the workspace folder written `WS`.
    private func errors(_ outcome: CLIOutcome, in cli: CLIHarness) -> [String] {
        outcome.stderr.replacingOccurrences(of: cli.root, with: "WS").split(separator: "\n").map(String.init)
    }

    @Test func fiveProblemsOfOnePluginManifestInOneRun() async throws {
        let manifest = """
            protocol: 2
            command: ./run.sh
            timout: 5s
            max_output_bytes: 0
            tools:
              - name: bad name
              - name: ok
                parameters: {type: string}
            """
        let cli = try CLIHarness(files: ["agents/a.yaml": "model: openai/m\n", "plugins/p/plugin.yaml": manifest])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        let file = "error: WS/plugins/p/plugin.yaml"
        #expect(
            errors(outcome, in: cli) == [
                "\(file):1:11: unsupported protocol 2; this Trellis speaks protocol 1",
                "\(file):3:1: unknown key 'timout' in plugin.yaml (did you mean 'timeout'?); allowed: protocol, name, "
                    + "description, command, args, timeout, env, working_dir, max_output_bytes, describe, tools",
                "\(file):4:19: 'max_output_bytes' must be an integer from 1 to 1073741824, got '0'",
                "\(file):6:11: tool name 'bad name' must be 1 to 64 letters, digits, '_' or '-'",
                "\(file):8:17: tool 'ok': 'parameters' must be a JSON Schema with 'type: object', got type \"string\"",
            ])
        #expect(outcome.stdout == "")
    }

    @Test func aToolSettingTypoIsFoundWhenNoAgentUsesTheTool() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml": "model: openai/m\ntools: [clock]\n",
            "trellis.yaml": "tools:\n  http_get: {allow_host: [example.com]}\n",
        ])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr
                == "error: ./trellis.yaml:2:14: unknown setting 'allow_host' for tool 'http_get' (did you mean 'allow_hosts'?); allowed: allow_hosts, max_bytes, timeout\n"
        )
        let badValue = try CLIHarness(files: [
            "agents/a.yaml": "model: openai/m\n", "trellis.yaml": "tools:\n  read_file: {root: missing}\n",
        ])
        let value = try await badValue.run(["validate"])
        #expect(value.status == 2)
        #expect(value.stderr == "error: ./trellis.yaml:2:14: tools.read_file.root 'missing' is not a folder\n")
    }

    @Test func forcedToolChoiceAndStopAtToolsNamingMissingTools() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml":
                "model: openai/m\ntools: [clock]\ntool_choice: [{function: calculator}, auto]\nstop_at_tools: [clok]\n"
        ])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        #expect(
            errors(outcome, in: cli) == [
                "error: ./agents/a.yaml:3:26: 'tool_choice' forces tool 'calculator', which the agent does not have; its tools: clock",
                "error: ./agents/a.yaml:4:17: 'stop_at_tools' names tool 'clok', which the agent does not have (did you mean 'clock'?); its tools: clock",
            ])
    }

    @Test func undeclaredParameterInTheSystemPrompt() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml":
                "model: openai/m\nsystem: Answer in {{languge}}.\nparams:\n  language: {default: English}\n"
        ])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr
                == "error: ./agents/a.yaml:2:9: 'system' uses parameter '{{languge}}', which 'params:' does not declare (did you mean 'language'?); declared: language\n"
        )
    }

    @Test func aWorkspaceWithoutAgentsIsAnError() async throws {
        let cli = try CLIHarness(files: ["trellis.yaml": "defaults: {model: openai/m}\n"])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr
                == "error: ./agents: no agents in workspace '.'; an agent is a file agents/NAME.yaml (for example agents/assistant.yaml holding 'model: openai/gpt-4o-mini')\n"
        )
        #expect(outcome.stdout == "")
    }

    @Test(.enabled(if: hasPython, "needs python3 in /usr/bin or /bin for the fixture MCP server"))
    func deepStartsMCPServersAndChecksToolNames() async throws {
        let server = Self.fixtureServer
        let cli = try CLIHarness(files: [
            "trellis.yaml": """
            mcp_servers:
              fixture: {command: \(server), args: [--pid-file, pids.txt]}
              broken: {command: \(server), args: [--exit-at-start, 3]}
            """,
            "agents/a.yaml": "model: openai/m\ntools: [clock, {mcp: fixture, allow: [echo, ecko]}]\n",
            "agents/b.yaml": "model: openai/m\ntools: [{mcp: broken}]\n",
            "agents/c.yaml": """
            model: openai/m
            tools: [clock, {mcp: fixture, allow: [echo]}]
            tool_choice: {function: pidd}
            stop_at_tools: [echo]
            """,
        ])
        let shallow = try await cli.run(["validate"])
        #expect(shallow.stderr == "")
        #expect(shallow.stdout == "ok: 3 agents valid\n")
        #expect(shallow.status == 0)

        let deep = try await cli.run(["validate", "--deep"])
        #expect(deep.status == 2)
        let lines = errors(deep, in: cli)
        #expect(lines.first?.hasPrefix("error: ./trellis.yaml:3:11: MCP server 'broken': ") == true)
        #expect(lines.contains("error: bad configuration"))
        let offered =
            "echo, pid, crash, fail, rpc_error, ping_me, sleep, mixed, structured, cancellations, flood, environment, "
            + "deaf, endless"
        #expect(
            Array(lines.suffix(2)) == [
                "error: ./agents/a.yaml:2:45: MCP server 'fixture' has no tool 'ecko' (did you mean 'echo'?); it offers: \(offered)",
                "error: ./agents/c.yaml:3:25: 'tool_choice' forces tool 'pidd', which the agent does not have; its tools: clock, echo",
            ])
        // The server was stopped before validate exited.
        let pids = try String(contentsOfFile: cli.root + "/pids.txt", encoding: .utf8)
        for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) {
            #expect(kill(pid, 0) != 0, "MCP server \(pid) still runs after validate")
        }
    }

    @Test func deepRunsDescribeOfPluginsThatDescribeThemselves() async throws {
        let describe = """
            #!/bin/sh
            if [ "$1" = "--describe" ]; then
              echo '{"protocol": 1, "tools": [{"name": "whisper", "description": "Says it quietly"}]}'
              exit 0
            fi
            cat >/dev/null
            echo '{"content": "ok", "is_error": false}'
            """
        let cli = try CLIHarness(files: [
            "plugins/quiet/plugin.yaml": "protocol: 1\ncommand: ./describe.sh\ndescribe: true\n",
            "plugins/quiet/describe.sh": describe,
            "plugins/broken/plugin.yaml": "protocol: 1\ncommand: ./fail.sh\ndescribe: true\n",
            "plugins/broken/fail.sh": "#!/bin/sh\necho 'cannot describe: no config' >&2\nexit 3\n",
            "agents/a.yaml": "model: openai/m\ntools: [{plugin: quiet, allow: [whispr]}]\nstop_at_tools: [whisper]\n",
        ])
        for script in ["quiet/describe.sh", "broken/fail.sh"] {
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/" + script)
        }
        let shallow = try await cli.run(["validate"])
        #expect(shallow.stdout == "ok: 1 agent valid\n")
        #expect(shallow.status == 0)

        let deep = try await cli.run(["validate", "--deep"])
        #expect(deep.status == 2)
        let lines = errors(deep, in: cli)
        #expect(lines.first?.hasPrefix("error: WS/plugins/broken/plugin.yaml: ") == true)
        #expect(lines.contains { $0.contains("cannot describe: no config") })
        #expect(
            lines.last
                == "error: ./agents/a.yaml:2:33: plugin 'quiet' has no tool 'whispr' (did you mean 'whisper'?); it offers: whisper"
        )
    }

    @Test(.enabled(if: hasPython, "needs python3 in /usr/bin or /bin for the fixture MCP server"))
    func deepIsOkWhenTheNamesExist() async throws {
        let cli = try CLIHarness(files: [
            "trellis.yaml": "mcp_servers:\n  fixture: {command: \(Self.fixtureServer)}\n",
            "agents/a.yaml":
                "model: openai/m\ntools: [{mcp: fixture, allow: [echo]}]\ntool_choice: [{function: echo}, auto]\nstop_at_tools: [echo]\n",
        ])
        let outcome = try await cli.run(["validate", "--deep"])
        #expect(outcome.stderr == "")
        #expect(outcome.stdout == "ok: 1 agent valid (deep)\n")
        #expect(outcome.status == 0)
    }
}
