import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `trellis plugin check DIR`: the table a plugin author reads, and the exit status.
@Suite(.serialized) struct PluginCheckCommandTests {
    static let good = """
        #!/bin/sh
        request=$(cat)
        case "$request" in
          *'"arguments":{}'*) printf '{"content":"give me a text","is_error":true}\\n' ;;
          *) printf '{"content":"fine"}\\n' ;;
        esac

        """
    static let crashing = """
        #!/bin/sh
        cat >/dev/null
        echo "shout: cannot read the request" >&2
        exit 4

        """
    static let manifest = """
        protocol: 1
        command: ./run.sh
        tools:
          - name: shout
            parameters: {type: object, properties: {text: {type: string, minLength: 8}}, required: [text]}

        """

    private func workspace(script: String, manifest: String = Self.manifest) throws -> CLIHarness {
        let cli = try CLIHarness(files: ["plugins/shout/plugin.yaml": manifest, "plugins/shout/run.sh": script])
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o755], ofItemAtPath: cli.root + "/plugins/shout/run.sh")
        return cli
    }

    /// Output lines with the root written `WS`, runs of spaces collapsed and times written `N ms`.
    private func lines(_ text: String, root: String) -> [String] {
        text.replacingOccurrences(of: root, with: "WS")
            .replacing(#/ +/#, with: " ").replacing(#/\d+ ms/#, with: "N ms")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("a conforming plugin: every step ok, exit 0")
    func conforming() async throws {
        let cli = try workspace(script: Self.good)
        let outcome = try await cli.run(["plugin", "check", "plugins/shout"])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "")
        let root = URL(fileURLWithPath: cli.root).standardizedFileURL.path
        #expect(
            lines(outcome.stdout, root: root) == [
                "plugin WS/plugins/shout",
                "STEP RESULT TIME DETAIL",
                "manifest ok - protocol 1, command WS/plugins/shout/run.sh, tools: shout",
                "shout: empty call ok N ms error result: give me a text",
                #"shout: sample call ok N ms arguments {"text":"samplexx"} → result: fine"#,
                "",
                "conforms to protocol 1",
                "",
            ])
    }

    @Test("a crashing plugin: each failing step with its stderr, exit 1")
    func crashing() async throws {
        let cli = try workspace(script: Self.crashing)
        let outcome = try await cli.run(["plugin", "check", "plugins/shout"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "")
        let root = URL(fileURLWithPath: cli.root).standardizedFileURL.path
        #expect(
            lines(outcome.stdout, root: root) == [
                "plugin WS/plugins/shout",
                "STEP RESULT TIME DETAIL",
                "manifest ok - protocol 1, command WS/plugins/shout/run.sh, tools: shout",
                "shout: empty call FAIL N ms exited with status 4",
                #"shout: sample call FAIL N ms arguments {"text":"samplexx"} → exited with status 4"#,
                "",
                "shout: empty call:",
                " exited with status 4",
                " stderr:",
                " shout: cannot read the request",
                "",
                "shout: sample call:",
                #" arguments {"text":"samplexx"} → exited with status 4"#,
                " stderr:",
                " shout: cannot read the request",
                "",
                "2 of 3 steps do not conform",
                "",
            ])
    }

    @Test("a broken manifest: its errors with their places, exit 2")
    func brokenManifest() async throws {
        let cli = try workspace(script: Self.good, manifest: "protocol: 1\ncommand: ./run.sh\ntols: []\n")
        let outcome = try await cli.run(["plugin", "check", "plugins/shout"])
        #expect(outcome.status == 2)
        #expect(outcome.stdout == "")
        let root = URL(fileURLWithPath: cli.root).standardizedFileURL.path
        #expect(
            outcome.stderr.replacingOccurrences(of: root, with: "WS")
                == "error: WS/plugins/shout/plugin.yaml:3:1: unknown key 'tols' in plugin.yaml (did you mean "
                + "'tools'?); allowed: protocol, name, description, command, args, timeout, env, working_dir, "
                + "max_output_bytes, describe, tools\n")
    }

    @Test("--json: the same report as one JSON object")
    func json() async throws {
        let cli = try workspace(script: Self.crashing)
        let outcome = try await cli.run(["plugin", "check", "plugins/shout", "--json"])
        #expect(outcome.status == 1)
        let report = try JSONValue.parse(outcome.stdout)
        #expect(report["conforms"] == false)
        #expect(report["steps"]?.arrayValue?.compactMap { $0["result"]?.stringValue } == ["ok", "FAIL", "FAIL"])
        #expect(
            report["steps"]?.arrayValue?[1]["detail"]
                == "exited with status 4\nstderr:\nshout: cannot read the request")
    }
}
