import Foundation
import Testing

/// What one `trellis` invocation printed and returned.
struct CLIOutcome {
    var status: Int32
    var stdout: String
    var stderr: String
}

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

    /// Runs `trellis arguments…` with the workspace as working directory; output goes through files so large
    /// output cannot block the child.
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws
        -> CLIOutcome
    {
        try await runProgram(Self.binary, arguments, stdin: stdin, environment: environment)
    }

    /// Runs any program the way ``run(_:stdin:environment:)`` runs `trellis` (for wrappers such as a pty).
    func runProgram(
        _ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) async throws -> CLIOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ["PATH": "/usr/bin:/bin", "HOME": root]
        env.merge(environment) { $1 }
        process.environment = env
        let outPath = root + "/.stdout-\(UUID().uuidString)"
        let errPath = root + "/.stderr-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let input = Pipe()
        process.standardInput = input
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
                if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
                try? input.fileHandleForWriting.close()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return CLIOutcome(status: status, stdout: stdout, stderr: stderr)
    }
}
