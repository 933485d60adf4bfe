import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// Invalid definitions: one clear line each, exit 2, never a stack trace.
@Suite struct DefinitionCommandTests {
    @Test func badYAMLIsOneLineExitTwo() async throws {
        let cli = try CLIHarness(files: ["agents/a.yaml": "model: openai/m\nsystem: [oops\n"])
        let outcome = try await cli.run(["run", "a", "hi"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("error: ./agents/a.yaml:3:1: invalid YAML"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }

    @Test func missingVariableNamesIt() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml": "model: local/m\n",
            "trellis.yaml": "providers:\n  local: {kind: openai, base_url: \"${LLM_URL}\"}\n",
        ])
        let outcome = try await cli.run(["run", "a", "hi"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr
                == "error: ./trellis.yaml:2:35: environment variable 'LLM_URL' is not set (write ${LLM_URL:-default} for a default)\n"
        )
    }

    @Test func unknownToolIsReportedByValidate() async throws {
        let cli = try CLIHarness(files: ["agents/a.yaml": "model: openai/m\ntools: [clock, wether]\n"])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr.hasPrefix("error: ./agents/a.yaml:2:16: unknown tool 'wether'; available: calculator, clock")
        )
    }

    @Test func missingKeyForBuiltinProvider() async throws {
        let cli = try CLIHarness(files: ["agents/a.yaml": "model: openai/gpt-4o-mini\n"])
        let outcome = try await cli.run(["run", "a", "hi"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr
                == "error: provider 'openai' needs an API key: set OPENAI_API_KEY, or declare the provider with api_key in trellis.yaml\n"
        )
    }

    @Test func badToolSettingNamesThePlace() async throws {
        let cli = try CLIHarness(files: [
            "agents/a.yaml": "model: openai/m\ntools: [http_get]\n",
            "trellis.yaml": "tools:\n  http_get: {allow_host: [example.com]}\n",
        ])
        let outcome = try await cli.run(["validate"])
        #expect(outcome.status == 2)
        #expect(
            outcome.stderr
                == "error: ./trellis.yaml:2:14: unknown setting 'allow_host' for tool 'http_get' (did you mean 'allow_hosts'?); allowed: allow_hosts, max_bytes, timeout\n"
        )
    }

    @Test func usageErrorsExitTwo() async throws {
        let cli = try CLIHarness(files: [:])
        let outcome = try await cli.run(["run"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("Missing expected argument '<agent>'"))
    }

    @Test func listsAgentsAndTools() async throws {
        let cli = try CLIHarness(files: ["agents/a.yaml": "description: Does things\nmodel: openai/m\ntools: [clock]\n"]
        )
        let agents = try await cli.run(["agents"])
        #expect(agents.status == 0)
        #expect(agents.stdout == "AGENT  MODEL     DESCRIPTION\na      openai/m  Does things\n")
        let tools = try await cli.run(["tools", "a"])
        #expect(tools.stdout.hasPrefix("TOOL   SOURCE   DESCRIPTION\nclock  builtin  Current date and time."))
    }

    @Test func schemaIsValidJSON() async throws {
        let cli = try CLIHarness(files: [:])
        let outcome = try await cli.run(["schema", "workspace"])
        #expect(outcome.status == 0)
        #expect(try JSONValue.parse(outcome.stdout)["title"] == "Trellis workspace")
    }

    @Test func shippedExampleAgentsValidate() async throws {
        let cli = try CLIHarness(files: [:])
        let outcome = try await cli.run(["validate", "--workspace", CLIHarness.packageRoot])
        #expect(outcome.stderr == "")
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("ok: "))
    }
}
