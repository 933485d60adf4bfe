import Foundation
import Testing
import TrellisCore
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
    func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        onStart: @Sendable (Int32) -> Void = { _ in }
    ) async throws -> CLIOutcome {
        try await runProgram(Self.binary, arguments, stdin: stdin, environment: environment, onStart: onStart)
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

    /// One step of a scripted terminal session: wait until the screen shows `text` (after what earlier steps
    /// waited for) or until the file `path` exists, then type `keys`.
    struct TerminalStep: Sendable {
        var text: String?
        var path: String?
        var keys: String

        /// Waits for `text` on the screen, then types `keys`.
        static func after(_ text: String, type keys: String) -> TerminalStep {
            TerminalStep(text: text, path: nil, keys: keys)
        }

        /// Waits for the file `path`, then types `keys`.
        static func once(_ path: String, type keys: String) -> TerminalStep {
            TerminalStep(text: nil, path: path, keys: keys)
        }
    }

    /// Runs `trellis arguments…` on a pseudo-terminal and types `steps` into it, each once what it waits for
    /// shows; the outcome's stdout is everything the terminal showed. A step that waits 60 s in vain ends the
    /// session (the screen so far is returned, and the status is 99).
    func runOnTerminal(
        _ arguments: [String], steps: [TerminalStep], environment: [String: String] = [:]
    ) async throws -> CLIOutcome {
        let script = """
            import json, os, pty, select, sys, time
            steps = json.loads(sys.argv[1])
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[2], sys.argv[2:])
            seen, mark, failed = b"", 0, False
            def pump(timeout):
                global seen
                ready, _, _ = select.select([fd], [], [], timeout)
                if not ready:
                    return True
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return False
                if not chunk:
                    return False
                seen += chunk
                return True
            alive = True
            for step in steps:
                deadline = time.time() + 60
                while True:
                    if step.get("text") is not None:
                        found = seen.find(step["text"].encode(), mark)
                        if found >= 0:
                            mark = found + len(step["text"].encode())
                            break
                    elif os.path.exists(step["path"]):
                        break
                    if not alive or time.time() > deadline:
                        failed = True
                        break
                    alive = pump(0.05)
                if failed:
                    break
                time.sleep(0.05)
                os.write(fd, step["keys"].encode())
            if failed:
                os.kill(pid, 9)
            while pump(30) and alive:
                pass
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(seen.decode(errors="replace"))
            sys.exit(99 if failed else os.waitstatus_to_exitcode(status))
            """
        let path = root + "/terminal_steps.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let encoded = JSONValue.array(
            steps.map { step in
                [
                    "text": step.text.map(JSONValue.string) ?? .null, "path": step.path.map(JSONValue.string) ?? .null,
                    "keys": .string(step.keys),
                ]
            }
        ).serialized()
        return try await runProgram(
            "/usr/bin/env", ["python3", path, encoded, Self.binary] + arguments, environment: environment)
    }

    /// Runs any program the way ``run(_:stdin:environment:)`` runs `trellis` (for wrappers such as a pty).
    func runProgram(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        onStart: @Sendable (Int32) -> Void = { _ in }
    ) async throws -> CLIOutcome {
        var env = ["PATH": "/usr/bin:/bin", "HOME": root]
        env.merge(environment) { $1 }
        let outcome = try await ChildProcess.run(
            executable, arguments, stdin: stdin ?? "", environment: env, workingDirectory: root, onStart: onStart)
        #expect(!outcome.timedOut, "\(executable) \(arguments) did not finish in time")
        return outcome
    }
}
