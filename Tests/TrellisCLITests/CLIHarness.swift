import Foundation
import Testing
import TrellisTesting

/// What one `trellis` invocation printed and returned.
typealias CLIOutcome = ChildProcessOutcome

/// Runs the built `trellis` binary in a temporary workspace.
struct CLIHarness {
    let root: String

    /// A workspace with the given files (paths relative to the root).
    init(files: [String: String]) throws {
        let folder = try TemporaryFolder("trellis-cli")
        root = folder.path
        for (path, text) in files { try folder.write(path, text) }
    }

    /// The `trellis` executable next to the test bundle.
    static var binary: String { ChildProcess.built("trellis") }

    /// The build folder holding `trellis` and the other built executables (`jsonq`).
    static var buildFolder: String { (binary as NSString).deletingLastPathComponent }

    /// The package root (for validating the shipped agents/).
    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// Runs `trellis arguments…` with the workspace as working directory.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws
        -> CLIOutcome
    {
        try await runProgram(Self.binary, arguments, stdin: stdin, environment: environment)
    }

    /// Runs `trellis arguments…` on a pseudo-terminal (its controlling terminal, standard output and standard error),
    /// typing `answer.reply` and a newline once `answer.prompt` shows. The outcome's stdout is everything the
    /// terminal showed (line ends as `\r\n`); its stderr is the wrapper's own.
    func runOnTerminal(
        _ arguments: [String], answer: (prompt: String, reply: String)? = nil, environment: [String: String] = [:]
    ) async throws -> CLIOutcome {
        let script = """
            import os, pty, sys
            prompt, reply = sys.argv[1].encode(), sys.argv[2].encode()
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[3], sys.argv[3:])
            seen = b""
            answered = not prompt
            while True:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
                if not answered and prompt in seen:
                    os.write(fd, reply + b"\\n")
                    answered = True
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(seen.decode())
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        let path = root + "/on_terminal.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return try await runProgram(
            "/usr/bin/env", ["python3", path, answer?.prompt ?? "", answer?.reply ?? "", Self.binary] + arguments,
            environment: environment)
    }

    /// Runs any program the way ``run(_:stdin:environment:)`` runs `trellis` (for wrappers such as a pty).
    func runProgram(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) async throws -> CLIOutcome {
        var env = ["PATH": "/usr/bin:/bin", "HOME": root]
        env.merge(environment) { $1 }
        let outcome = try await ChildProcess.run(
            executable, arguments, stdin: stdin ?? "", environment: env, workingDirectory: root)
        #expect(!outcome.timedOut, "\(executable) \(arguments) did not finish in time")
        return outcome
    }
}
