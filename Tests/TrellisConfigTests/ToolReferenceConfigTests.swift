import Foundation
import Testing
import TrellisConfig
import TrellisCore

/// `tools:` entries of every form, `approval:`, and `mcp_servers:` in trellis.yaml.
@Suite struct ToolReferenceConfigTests {
    static let servers = """
        mcp_servers:
          time:
            command: mcp-server-time
            args: [--local-timezone, UTC]
            env: {TZ: "${ZONE:-UTC}"}
            startup_timeout: 5s
            timeout: 500ms
          git: {command: ./bin/mcp-git, working_dir: repo}

        """

    @Test func toolFormsAreRead() throws {
        let fixture = try WorkspaceFixture(
            agents: [
                "a": """
                model: openai/gpt-4o
                tools:
                  - clock
                  - {mcp: time, allow: [get_current_time]}
                  - mcp: git

                """
            ], workspace: Self.servers)
        let agent = try fixture.load().agent(named: "a").definition
        #expect(
            agent.tools == [
                ToolReference(name: "clock"),
                ToolReference(name: "time", source: .mcp, allow: ["get_current_time"]),
                ToolReference(name: "git", source: .mcp),
            ])
    }

    @Test func mcpServersAreRead() throws {
        let fixture = try WorkspaceFixture(agents: [:], workspace: Self.servers)
        let servers = try fixture.load(environment: ["ZONE": "Europe/Moscow"]).configuration.mcpServers
        let time = try #require(servers["time"])
        #expect(time.command == "mcp-server-time")
        #expect(time.arguments == ["--local-timezone", "UTC"])
        #expect(time.environment == ["TZ": "Europe/Moscow"])
        #expect(time.startupTimeout == .seconds(5))
        #expect(time.callTimeout == .milliseconds(500))
        #expect(time.place.hasSuffix("trellis.yaml:3:5"))
        let git = try #require(servers["git"])
        #expect(git.workingDirectory == "repo")
        #expect(git.callTimeout == .seconds(60))
        #expect(git.startupTimeout == .seconds(10))
    }

    @Test func unknownMCPServerIsAnErrorAtItsPlace() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: openai/gpt-4o\ntools:\n  - {mcp: tme}\n"], workspace: Self.servers)
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:3:5: unknown MCP server 'tme' (did you mean 'time'?); declared: git, time "
                    + "(declare it under mcp_servers: in trellis.yaml)"
            ])
    }

    @Test func unknownBuiltinMentionsTheOtherForms() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\ntools: [clok]\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:2:9: unknown tool 'clok' (did you mean 'clock'?); available: calculator, clock, "
                    + "http_get, list_files, read_file (or {plugin: NAME}, {mcp: NAME})"
            ])
    }

    @Test func badToolReferencesAreErrors() throws {
        let cases: [(String, String)] = [
            (
                "tools:\n  - {plugin: a, mcp: b}\n",
                "3:5: a tool reference needs exactly one of 'plugin: NAME' or 'mcp: NAME'"
            ),
            ("tools:\n  - {allow: [x]}\n", "3:5: a tool reference needs exactly one of 'plugin: NAME' or 'mcp: NAME'"),
            (
                "tools:\n  - {mcp: time, allo: [x]}\n",
                "3:17: unknown key 'allo' in a tool reference (did you mean 'allow'?); allowed: plugin, mcp, allow"
            ),
            (
                "tools:\n  - {mcp: time, allow: []}\n",
                "3:24: 'allow' lists the tools the agent may use; it cannot be empty"
            ),
            (
                "tools:\n  - [clock]\n",
                "3:5: a tool is a name (clock), {plugin: NAME}, {mcp: NAME} or {agent: NAME}, got a list"
            ),
            ("tools:\n  - {mcp: time}\n  - mcp: time\n", "4:5: tool '{mcp: time}' is listed twice"),
        ]
        for (tools, expected) in cases {
            let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\n" + tools], workspace: Self.servers)
            #expect(fixture.errors() == ["WS/agents/a.yaml:" + expected], "\(tools)")
        }
    }

    @Test func approvalIsRead() throws {
        let fixture = try WorkspaceFixture(agents: [
            "a":
                "model: openai/gpt-4o\ntools: [clock]\napproval: {default: ask, tools: {clock: allow, calculator: deny}}\n",
            "b": "model: openai/gpt-4o\napproval: deny\n",
        ])
        let workspace = try fixture.load()
        #expect(
            try workspace.agent(named: "a").definition.approval
                == ToolApprovalPolicy(defaultRule: .ask, tools: ["clock": .allow, "calculator": .deny]))
        #expect(try workspace.agent(named: "b").definition.approval == ToolApprovalPolicy(defaultRule: .deny))
        #expect(try workspace.agent(named: "b").definition.approval.rule(for: "clock") == .deny)
    }

    @Test func badApprovalRulesAreErrors() throws {
        let fixture = try WorkspaceFixture(agents: [
            "a": "model: openai/gpt-4o\napproval: {default: maybe}\n",
            "b": "model: openai/gpt-4o\napproval: {defualt: ask}\n",
        ])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:2:21: 'approval.default' must be allow, deny or ask, got 'maybe'",
                "WS/agents/b.yaml:2:12: unknown key 'defualt' in 'approval' (did you mean 'default'?); allowed: "
                    + "default, tools",
            ])
    }

    @Test func badMCPServerEntriesAreErrors() throws {
        let cases: [(String, String)] = [
            ("mcp_servers:\n  time: {args: []}\n", "2:9: MCP server 'time' is missing required key 'command'"),
            (
                "mcp_servers:\n  time: {command: x, comand: y}\n",
                "2:22: unknown key 'comand' in MCP server 'time' (did you mean 'command'?); allowed: "
            ),
            (
                "mcp_servers:\n  time: {command: x, args: x}\n",
                "2:28: 'mcp_servers.time.args' must be a list of strings"
            ),
            ("mcp_servers:\n  time: {command: x, timeout: soon}\n", "2:31: 'mcp_servers.time.timeout' must be"),
        ]
        for (workspace, expected) in cases {
            let fixture = try WorkspaceFixture(agents: [:], workspace: workspace)
            let errors = fixture.errors()
            #expect(errors.count == 1)
            #expect(errors.first?.hasPrefix("WS/trellis.yaml:" + expected) == true, "\(errors)")
        }
    }

    /// A fixture with one plugin, `plugins/units`, offering `convert`.
    private func withUnitsPlugin(_ agent: String) throws -> WorkspaceFixture {
        let fixture = try WorkspaceFixture(agents: ["a": agent])
        let folder = fixture.root + "/plugins/units"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "#!/bin/sh\n".write(toFile: folder + "/units.sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/units.sh")
        try """
        protocol: 1
        command: ./units.sh
        tools:
          - name: convert
            description: Converts units
            parameters: {type: object}
        """.write(toFile: folder + "/plugin.yaml", atomically: true, encoding: .utf8)
        return fixture
    }

    @Test func pluginReferencesAreCheckedAgainstTheManifests() throws {
        let good = try withUnitsPlugin("model: openai/gpt-4o\ntools: [{plugin: units, allow: [convert]}]\n")
        let workspace = try good.load()
        #expect(workspace.plugins.map(\.name) == ["units"])
        #expect(workspace.plugin(named: "units")?.tools.map(\.name) == ["convert"])
        #expect(
            try workspace.agent(named: "a").definition.tools == [
                ToolReference(name: "units", source: .plugin, allow: ["convert"])
            ])

        let unknown = try withUnitsPlugin("model: openai/gpt-4o\ntools: [{plugin: unit}]\n")
        #expect(
            unknown.errors() == [
                "WS/agents/a.yaml:2:9: unknown plugin 'unit' (did you mean 'units'?); plugins: units "
                    + "(a plugin is plugins/NAME/plugin.yaml)"
            ])
        let notOffered = try withUnitsPlugin("model: openai/gpt-4o\ntools: [{plugin: units, allow: [convrt]}]\n")
        #expect(
            notOffered.errors() == [
                "WS/agents/a.yaml:2:9: plugin 'units' has no tool 'convrt' (did you mean 'convert'?); it offers: convert"
            ])
    }

    @Test func aBrokenManifestIsReportedOnceWithTheAgents() throws {
        let fixture = try withUnitsPlugin("model: openai/gpt-4o\ntools: [{plugin: units}]\n")
        try "protocol: 2\ncommand: ./units.sh\ntools: [{name: convert, description: x, parameters: {type: object}}]\n"
            .write(
                toFile: fixture.root + "/plugins/units/plugin.yaml", atomically: true, encoding: .utf8)
        // Not repeated as "unknown plugin 'units'" for the agent that uses it.
        #expect(
            fixture.errors() == [
                "WS/plugins/units/plugin.yaml:1:11: unsupported protocol 2; this Trellis speaks protocol 1"
            ])
    }
}
