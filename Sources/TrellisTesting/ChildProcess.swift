import Foundation

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
/// `Process.waitUntilExit()` and `readDataToEndOfFile()` block the calling thread. The pool has one thread per
/// core, so a few such waits in tests that run in parallel stall every other task in the process: a plugin host
/// that cannot get a thread to write its child's stdin makes a 5 ms call time out. Here the wait is a
/// continuation resumed by the termination handler, and stdin, stdout and stderr are files, so a large output
/// cannot block the child either.
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
    /// - Throws: When the program cannot be started or the files cannot be made.
    public static func run(
        _ executable: String, _ arguments: [String] = [], stdin: String = "", environment: [String: String]? = nil,
        workingDirectory: String? = nil, timeout: Duration = .seconds(120)
    ) async throws -> ChildProcessOutcome {
        let folder = NSTemporaryDirectory() + "trellis-child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let paths = (input: folder + "/in", output: folder + "/out", error: folder + "/err")
        try Data(stdin.utf8).write(to: URL(fileURLWithPath: paths.input))
        for path in [paths.output, paths.error] { _ = FileManager.default.createFile(atPath: path, contents: nil) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: paths.input))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: paths.output))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: paths.error))
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { finished in
            exited.yield(finished.terminationStatus)
            exited.finish()
        }
        try process.run()
        let pid = process.processIdentifier

        let (status, timedOut) = await withTaskGroup(of: Int32?.self) { group -> (Int32, Bool) in
            group.addTask {
                for await status in exits { return status }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            if let first = await group.next(), let status = first {
                group.cancelAll()
                return (status, false)
            }
            // The time limit passed (or the test was cancelled): kill it and still wait for the exit, so the
            // files are complete and nothing outlives the test.
            kill(pid, SIGKILL)
            let status = await group.next() ?? nil
            return (status ?? SIGKILL, true)
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
