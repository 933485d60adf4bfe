import Foundation
import Testing
import TrellisTesting

/// What the CLI does with values past their limits, alias bombs, secrets in values and repeated options: an error
/// at `file:line:column` with exit 2, never a crash, a hang or a secret on the terminal.
@Suite struct ConfigLimitCommandTests {
    static let secret = "sk-live-0123456789abcdef"

    @Test("validate and run report a run timeout of 1e17 s at its place and exit 2 instead of crashing")
    func hugeRunTimeout() async throws {
        let cli = try CLIHarness(files: ["agents/a.yaml": "model: openai/m\nlimits:\n  timeout: 1e17\n"])
        let validate = try await cli.run(["validate"])
        #expect(validate.status == 2)
        #expect(
            validate.stderr == "error: ./agents/a.yaml:3:12: 'limits.timeout' must be a duration from 1ms to "
                + "168h such as 30s, 500ms or 2m, got '1e17'\n")
        let run = try await cli.run(["run", "a", "hi"], environment: ["OPENAI_API_KEY": "k"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("agents/a.yaml:3:12: 'limits.timeout' must be a duration"))
    }

    @Test("a provider timeout of 2562048h and an http_get timeout of 1e10 are errors of validate and run")
    func hugeProviderAndToolTimeouts() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml": "model: openai/m\n",
            "trellis.yaml": "providers:\n  openai: {kind: openai, timeout: 2562048h, base_url: http://127.0.0.1:9}\n",
        ])
        let validate = try await cli.run(["validate"])
        #expect(validate.status == 2)
        #expect(validate.stderr.contains("trellis.yaml:2:35: 'timeout' must be a duration from 1ms to 24h"))
        let run = try await cli.run(["run", "a", "hi"], environment: ["OPENAI_API_KEY": "k"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("trellis.yaml:2:35:"))

        let toolOnly = try CLIHarness(files: [
            "agents/a.yaml": "model: openai/m\ntools: [http_get]\n",
            "trellis.yaml": "tools:\n  http_get: {allow_hosts: [example.com], timeout: 1e10}\n",
        ])
        let tool = try await toolOnly.run(["validate"])
        #expect(tool.status == 2)
        #expect(
            tool.stderr.contains(
                "trellis.yaml:2:13: tools.http_get.timeout must be a number of seconds from 0.001 to 86400 (24 hours)"),
            "\(tool.stderr)")
    }

    @Test("a billion-laughs agent file fails validate at once with the alias limit")
    func aliasBomb() async throws {
        // Under `model.extra`, read whole: before the limit, validate walked 9^9 values (minutes, gigabytes).
        var lines = ["model:", "  name: openai/m", "  extra:", "    a: &a [x, x, x, x, x, x, x, x, x]"]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("    \(name): &\(name) [\(Array(repeating: "*\(previous)", count: 9).joined(separator: ","))]")
        }
        let cli = try CLIHarness(files: ["agents/bomb.yaml": lines.joined(separator: "\n") + "\n"])
        let validate = try await cli.run(["validate"])
        #expect(validate.status == 2)
        #expect(
            validate.stderr.hasPrefix(
                "error: ./agents/bomb.yaml:9:12: the aliases in this file expand to more than 100000 values"),
            "\(validate.stderr)")
    }

    @Test("a base_url from ${KEY} that is no URL is reported as ${KEY}, never as the key")
    func hiddenInterpolatedValue() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml": "model: mine/m\n",
            "trellis.yaml": "providers:\n  mine: {kind: openai, base_url: \"${KEY}\"}\n",
        ])
        for arguments in [["validate"], ["provider", "list"], ["run", "a", "hi", "--json"]] {
            let outcome = try await cli.run(arguments, environment: ["KEY": Self.secret])
            #expect(outcome.status == 2)
            #expect(!(outcome.stdout + outcome.stderr).contains(Self.secret), "\(arguments)")
            #expect((outcome.stdout + outcome.stderr).contains("${KEY}"), "\(arguments)")
        }
    }

    @Test("provider list, provider check and a connection error show a base URL's userinfo as [redacted]")
    func redactedUserinfo() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml": "model: mine/m\n",
            "trellis.yaml": """
            providers:
              mine: {kind: openai, base_url: "http://admin:\(Self.secret)@127.0.0.1:9/v1", max_retries: 0}
            """,
        ])
        let list = try await cli.run(["provider", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("http://[redacted]@127.0.0.1:9/v1"))
        let check = try await cli.run(["provider", "check", "mine", "--model", "m", "--json"])
        let run = try await cli.run(["run", "a", "hi"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot reach http://[redacted]@127.0.0.1:9/v1"), "\(run.stderr)")
        let runJSON = try await cli.run(["run", "a", "hi", "--json"])
        for outcome in [list, check, run, runJSON] {
            #expect(!(outcome.stdout + outcome.stderr).contains(Self.secret))
            #expect(!(outcome.stdout + outcome.stderr).contains("admin"))
        }
    }

    @Test("a repeated single-value option (--args, --model, --workspace) is a usage error naming it")
    func repeatedOptions() async throws {
        let cli = try CLIHarness(files: ["agents/a.yaml": "model: openai/m\n"])
        let args = try await cli.run(["tool", "call", "calculator", "--args", #"{"expression":"1"}"#, "--args={}"])
        #expect(args.status == 2)
        #expect(
            args.stderr == "error: --args was given 2 times; it takes one value (a later one would silently replace "
                + "the earlier), so give it once\n")
        let model = try await cli.run(["run", "a", "hi", "--model", "openai/x", "--model", "openai/y", "--json"])
        #expect(model.status == 2)
        #expect(model.stderr.contains("error: --model was given 2 times"))
        #expect(model.stdout.contains(#""code":"invalid_usage""#), "\(model.stdout)")
        let workspace = try await cli.run(["validate", "--workspace", ".", "--workspace", "."])
        #expect(workspace.status == 2)
        #expect(workspace.stderr.contains("error: --workspace was given 2 times"))
        let params = try await cli.run(["tool", "call", "calculator", "--args", #"{"expression":"6*7"}"#])
        #expect(params.status == 0, "\(params.stderr)")
    }
}
