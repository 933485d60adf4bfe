import Foundation
import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisPlugins

#if canImport(Glibc)
    import Glibc
#endif

/// Descendants of a plugin that leave its process group are still stopped when the call is over.
struct ProcessEscapeTests {
    @Test("a grandchild started with setsid does not outlive the call")
    func setsidGrandchild() async throws {
        let pids = FixturePIDs()
        let tool = try await PluginFixtures.tool(try PluginFixtures.plugin("setsid-child", pids: pids))
        let output = try await tool.execute(arguments: [:], context: PluginFixtures.context)
        #expect(output == ToolOutput("answered"))
        let grandchild = try #require(pids.pids.first)
        defer { kill(grandchild, SIGKILL) }
        #expect(await Poll.until(timeout: .seconds(30)) { FixturePIDs.isGone(grandchild) }, "pid \(grandchild)")
    }

    @Test("the sweep kills only processes with its own mark")
    func sweepMatchesExactMark() async throws {
        let mark = SpawnMark.next()
        let environment = ["PATH": "/usr/bin:/bin", SpawnMark.variable: mark]
        let other = ["PATH": "/usr/bin:/bin", SpawnMark.variable: mark + "0"]
        let marked = try spawnSleeper(environment)
        let unmarked = try spawnSleeper(other)
        defer {
            kill(marked, SIGKILL)
            kill(unmarked, SIGKILL)
            var status: Int32 = 0
            waitpid(marked, &status, 0)
            waitpid(unmarked, &status, 0)
        }
        let killed = ProcessSweep.killMarked(mark, after: 1)
        #expect(killed == [marked])
        #expect(kill(unmarked, 0) == 0)
    }

    /// Starts `sleep 300` with exactly this environment.
    private func spawnSleeper(_ environment: [String: String]) throws -> pid_t {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("300"), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        try #require(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, envp) == 0)
        return pid
    }
}
