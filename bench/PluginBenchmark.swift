// One executable plugin call (spawn, JSON request, JSON reply, exit) through Trellis versus a bare posix_spawn
// with plain pipes; see docs/benchmarks.md.
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// One plugin call's cost; see docs/benchmarks.md.
enum PluginBenchmark {
    /// The minimal plugin: one line in, one line out, nothing else started.
    static let script = """
        #!/bin/sh
        read -r request
        printf '{"content":"ok","is_error":false}\\n'

        """

    static func run(runs: Int) async throws {
        let folder = NSTemporaryDirectory() + "trellis-bench-\(UUID().uuidString)/minimal"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        try script.write(toFile: folder + "/plugin.sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/plugin.sh")
        try """
        protocol: 1
        command: ./plugin.sh
        tools: [{name: ping, parameters: {type: object, properties: {text: {type: string}}}}]

        """.write(toFile: folder + "/plugin.yaml", atomically: true, encoding: .utf8)

        let environment = ProcessInfo.processInfo.environment
        let manifest = try PluginManifest.load(folder: folder, environment: environment)
        let plugin = ExecutablePlugin(manifest: manifest, environment: environment)
        guard let tool = try await plugin.tools().first else { throw BenchFailure("the bench plugin has no tool") }
        let arguments: JSONValue = ["text": "hello"]
        let context = ToolContext(agent: "bench", runID: "run_bench", callID: "call_1", workspace: folder)
        let raw = RawSpawn(
            path: manifest.command, environment: plugin.scrubbedEnvironment,
            request: tool.request(arguments: arguments, context: context))

        for _ in 0..<50 {  // warm-up: page cache, the allocator, Subprocess's I/O thread
            _ = try await tool.execute(arguments: arguments, context: context)
            try raw.call()
        }
        let samples = try await Interleaved.measure(runs: runs) {
            let output = try await tool.execute(arguments: arguments, context: context)
            guard output == ToolOutput("ok") else { throw BenchFailure("the call failed: \(output.content)") }
        } bare: {
            try raw.call()
        }
        print("one plugin call (/bin/sh plugin: read a line, print a reply), \(runs) calls each, interleaved")
        samples.report(trellis: "through ExecutablePluginTool", bare: "bare posix_spawn + pipes")
    }
}

/// The same call with no Trellis: posix_spawn in a new process group, blocking writes and reads on plain pipes,
/// waitpid. No validation, no JSON parsing, no concurrency.
struct RawSpawn {
    let path: String
    let environment: [String: String]
    let request: [UInt8]

    func call() throws {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        var error: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&error) == 0 else { throw BenchFailure("pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, error[1], 2)
        for descriptor in input + output + error { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        close(error[1])
        guard spawned == 0 else { throw BenchFailure("posix_spawn: \(spawned)") }
        _ = request.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])
        var buffer = [UInt8](repeating: 0, count: 65536)
        var reply: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            reply.append(contentsOf: buffer[..<count])
        }
        while buffer.withUnsafeMutableBytes({ read(error[0], $0.baseAddress, $0.count) }) > 0 {}
        close(output[0])
        close(error[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard reply.starts(with: Array(#"{"content":"ok""#.utf8)) else { throw BenchFailure("bad reply") }
    }
}
