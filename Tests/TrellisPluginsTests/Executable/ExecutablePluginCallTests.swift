import Foundation
import Testing
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// The request a plugin receives, the environment and folder it runs in, and how replies become results.
@Suite(.serialized) struct ExecutablePluginCallTests {
    let plugin: ExecutablePlugin

    init() throws { plugin = try PluginFixtures.plugin("echo") }

    private func call(_ tool: String, _ arguments: JSONValue = [:], workspace: String? = NSTemporaryDirectory())
        async throws -> ToolOutput
    {
        var context = PluginFixtures.context
        context.workspace = workspace
        return try await PluginFixtures.tool(plugin, tool).execute(arguments: arguments, context: context)
    }

    @Test("a text reply is the result")
    func echo() async throws {
        #expect(try await call("echo", ["text": "héllo, world"]) == ToolOutput("héllo, world"))
    }

    @Test("the request holds protocol, tool, call_id, arguments and context; JSON content comes back serialised")
    func request() async throws {
        let output = try await call("request", ["nested": ["a": [1, 2.5, true, nil]]], workspace: "/tmp")
        #expect(!output.isError)
        #expect(
            try JSONValue.parse(output.content)
                == [
                    "protocol": 1, "tool": "request", "call_id": "call_1",
                    "arguments": ["nested": ["a": [1, 2.5, true, nil]]],
                    "context": ["agent": "tester", "run_id": "run_7", "workspace": "/tmp"],
                ])
    }

    @Test("without a workspace the context says null and the plugin runs in its own folder")
    func noWorkspace() async throws {
        let request = try JSONValue.parse(try await call("request", workspace: nil).content)
        #expect(request["context"]?["workspace"] == .null)
        let folder = PluginFixtures.root + "/echo"
        #expect(try await call("cwd", workspace: nil) == ToolOutput(folder))
    }

    @Test("the plugin runs in the workspace by default, and in its folder with working_dir: plugin")
    func workingDirectory() async throws {
        let workspace = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        #expect(try await call("cwd", workspace: workspace) == ToolOutput(workspace))
        let inFolder = try PluginFixtures.plugin("echo") { $0.workingDirectory = .plugin }
        let output = try await PluginFixtures.tool(inFolder, "cwd").execute(
            arguments: [:], context: PluginFixtures.context)
        #expect(output == ToolOutput(PluginFixtures.root + "/echo"))
    }

    @Test("the environment holds the allow-list plus PATH, HOME, LANG and the spawn mark, and nothing else")
    func scrubbedEnvironment() async throws {
        let output = try await call("environment")
        let environment = try #require(try JSONValue.parse(output.content).objectValue)
        #expect(environment.keys.sorted() == ["FIXTURE_ALLOWED", "HOME", "LANG", "PATH", "TRELLIS_SPAWN"])
        #expect(environment["TRELLIS_SPAWN"]?.stringValue?.hasPrefix(SpawnMark.instance + "_") == true)
        #expect(environment["FIXTURE_ALLOWED"] == "yes")
        #expect(environment["PATH"] == "/usr/bin:/bin")
        #expect(!output.content.contains("hunter2"))
    }

    @Test("a reply with is_error true is an error result, its content as written")
    func pluginError() async throws {
        #expect(
            try await call("refuse")
                == .error("no such unit: parsec"))
    }

    @Test("arguments that do not fit the schema are refused before anything is spawned")
    func invalidArguments() async throws {
        // The command does not exist: reaching the spawn would say "cannot start".
        let plugin = try PluginFixtures.plugin("echo") { $0.command = "/nonexistent/echo" }
        let output = try await PluginFixtures.tool(plugin, "echo").execute(
            arguments: ["text": 5], context: PluginFixtures.context)
        #expect(
            output
                == .error(
                    "plugin 'echo', tool 'echo': arguments do not match the tool's schema: $.text: expected string, "
                        + "got integer"))
    }

    @Test(
        "replies of the wrong shape name what is wrong",
        arguments: [
            (
                #"{"is_error": false}"#,
                #"replied without "content" (the reply is {"content": ..., "is_error": false}; got keys: is_error)"#
            ),
            (#"{"content": "x", "is_error": "no"}"#, #"replied with "is_error": "no"; it must be true or false"#),
            (#"["content"]"#, #"wrote a JSON array to stdout instead of an object: ["content"]"#),
            ("", "exited without writing a reply to stdout"),
            (
                #"{"content": "a"} {"content": "b"}"#,
                #"wrote something that is not JSON to stdout (unexpected text after the JSON value at byte 17): {"content": "a"} {"content": "b"}"#
            ),
        ])
    func wrongShapes(stdout: String, cause: String) async throws {
        #expect(try await call("raw", ["stdout": .string(stdout)]) == .error("plugin 'echo', tool 'raw': " + cause))
    }

    @Test("a non-zero exit wins over a valid reply, and only the last 2 KB of stderr is shown")
    func exitStatusAndStderrTail() async throws {
        let logs = String(repeating: "early log line\n", count: 400) + "last words"
        let output = try await call(
            "raw", ["stdout": #"{"content": "fine", "is_error": false}"#, "stderr": .string(logs), "exit": 2])
        #expect(output.isError)
        #expect(output.content.hasPrefix("plugin 'echo', tool 'raw': exited with status 2\nstderr:\n"))
        #expect(output.content.hasSuffix("early log line\nlast words"))
        let tail = output.content.split(separator: "stderr:\n", maxSplits: 1).last ?? ""
        #expect(tail.utf8.count <= 2048)
        #expect(tail.utf8.count > 2000)
    }
}
