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
        root = NSTemporaryDirectory() + "trellis-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    /// The `trellis` executable next to the test bundle.
    static var binary: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("trellis").path
    }

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
