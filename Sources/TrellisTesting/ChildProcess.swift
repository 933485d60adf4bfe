import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a program run by ``ChildProcess/run(_:_:stdin:environment:workingDirectory:timeout:)`` printed and
/// returned.
public struct ChildProcessOutcome: Sendable {
    /// The exit status, or the signal number when it was killed.
    public var status: Int32
    /// Everything it wrote to stdout.
    public var stdout: String
    /// Everything it wrote to stderr.
    public var stderr: String
    /// It outlived its time limit and was killed with SIGKILL.
    public var timedOut: Bool
}

/// Runs a program to completion from a test without holding a thread of Swift's cooperative pool.
///
/// A blocking wait would hold one of the pool's threads (one per core), and a few such waits in tests that run in
/// parallel stall every other task in the process: a plugin host that cannot get a thread to write its child's
/// stdin makes a 5 ms call time out. Here the child is spawned by swift-subprocess and its exit is polled every
/// 5 ms without blocking, and stdin, stdout and stderr are files, so a large output cannot block the child either.
///
/// ```swift
/// let git = try await ChildProcess.run("/usr/bin/env", ["git", "init", folder])
/// #expect(git.status == 0, "\(git.stderr)")
/// ```
public enum ChildProcess {
    /// Runs `executable arguments` with `stdin` as its input and waits for it to exit.
    ///
    /// - Parameters:
    ///   - environment: The child's whole environment; `nil` passes the test process's own.
    ///   - workingDirectory: Its working directory; `nil` keeps the test process's.
    ///   - timeout: After this long the program gets SIGKILL and the outcome says ``ChildProcessOutcome/timedOut``.
    ///   - onStart: Called with the program's pid once it runs (to signal a long-running one).
    /// - Throws: When the program cannot be started or the files cannot be made.
    public static func run(
        _ executable: String, _ arguments: [String] = [], stdin: String = "", environment: [String: String]? = nil,
        workingDirectory: String? = nil, timeout: Duration = .seconds(120),
        onStart: @Sendable (Int32) -> Void = { _ in }
    ) async throws -> ChildProcessOutcome {
        let folder = NSTemporaryDirectory() + "trellis-child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let paths = (input: folder + "/in", output: folder + "/out", error: folder + "/err")
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: paths.input))
        for path in [paths.output, paths.error] { _ = FileManager.default.createFile(atPath: path, contents: nil) }

        // Not Foundation's Process: on Linux its run() over-reads /proc/self/fd entries and crashes now and then
        // (swift-corelibs-foundation#5472), which a suite spawning hundreds of children hits.
        let input = try FileDescriptor.open(FilePath(paths.input), .readOnly, options: .closeOnExec)
        let output = try FileDescriptor.open(FilePath(paths.output), .writeOnly, options: .closeOnExec)
        let error = try FileDescriptor.open(FilePath(paths.error), .writeOnly, options: .closeOnExec)
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments),
            environment: environment.map { environment in
                .custom(
                    Dictionary(
                        uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
            } ?? .inherit,
            workingDirectory: workingDirectory.map { FilePath($0) },
            input: .fileDescriptor(input, closeAfterSpawningProcess: true),
            output: .fileDescriptor(output, closeAfterSpawningProcess: true),
            error: .fileDescriptor(error, closeAfterSpawningProcess: true)
        ) { execution -> Bool in
            let pid = execution.processIdentifier.value
            onStart(pid)
            let deadline = ContinuousClock.now.advanced(by: timeout)
            // Wait for the exit without reaping it (Subprocess reaps), a few milliseconds at a time; a child
            // Subprocess has reaped already is gone (ECHILD).
            while ContinuousClock.now < deadline {
                var info = siginfo_t()
                let found = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG)
                if found != 0 || info._sifields._sigchld.si_pid != 0 { return false }
                if Task.isCancelled { break }
                try? await Task.sleep(for: .milliseconds(5))
            }
            // The time limit passed (or the test was cancelled): kill it; Subprocess still waits for the exit,
            // so the files are complete and nothing outlives the test.
            kill(pid, SIGKILL)
            return true
        }
        let timedOut = result.closureResult
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): signal
            }
        return ChildProcessOutcome(
            status: status,
            stdout: (try? String(contentsOfFile: paths.output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: paths.error, encoding: .utf8)) ?? "",
            timedOut: timedOut)
    }
}

extension ChildProcess {
    /// The path of an executable found on `PATH`, or `nil`; for tests skipped when a program is not installed.
    public static func executable(named name: String) -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether an executable of this name is on `PATH`.
    public static func onPath(_ name: String) -> Bool { executable(named: name) != nil }

    /// The path of a product of this package built beside the running test bundle (`trellis`, `jsonq`).
    public static func built(_ name: String) -> String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent(name).path
    }
}

extension ChildProcess {
    /// Whether `executable arguments` (looked up on `PATH`) exits 0, its output discarded; for a condition a test
    /// is enabled on (`python3 -c "import openai"`). It blocks until the program exits: call it once, not on the
    /// hot path.
    public static func succeeds(_ executable: String, _ arguments: [String]) -> Bool {
        var pid = pid_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        guard posix_spawnp(&pid, executable, &actions, nil, argv, environ) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status == 0
    }
}
