import Foundation
import Synchronization
import Testing
import TrellisCore
import TrellisPlugins
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// `read_file` while another thread keeps swapping a folder inside the root for a symbolic link to outside: the
/// check and the open must be one step, or some reads return the outside file.
struct FileToolsRaceTests {
    /// Swaps `root/swap` between a folder and a link to `outside` on a thread of its own until stopped.
    final class Swapper: Sendable {
        let root: String
        let outside: String
        let swaps = Atomic<Int>(0)
        private let stopping = Atomic<Bool>(false)
        private let stopped = Atomic<Bool>(false)

        init(root: String, outside: String) {
            self.root = root
            self.outside = outside
        }

        func start() {
            let thread = Thread { [self] in
                let (folder, parked, link) = (root + "/swap", root + "/swap.parked", outside)
                // Each state is held for a moment, so reads meet the link about as often as the folder.
                while !stopping.load(ordering: .relaxed) {
                    rename(folder, parked)
                    symlink(link, folder)
                    for _ in 0..<20 { sched_yield() }
                    unlink(folder)
                    rename(parked, folder)
                    for _ in 0..<20 { sched_yield() }
                    swaps.add(1, ordering: .relaxed)
                }
                stopped.store(true, ordering: .releasing)
            }
            thread.start()
        }

        /// Stops the thread and waits until it has left the folder as a folder.
        func stop() async {
            stopping.store(true, ordering: .relaxed)
            _ = await Poll.until(timeout: .seconds(30), interval: .milliseconds(1)) {
                stopped.load(ordering: .acquiring)
            }
        }
    }

    @Test("5,000 reads while a folder is swapped for a link to outside never return the outside file")
    func swappedFolderNeverLeadsOutside() async throws {
        let folder = try TemporaryFolder("trellis-race")
        defer { folder.remove() }
        try folder.write("root/swap/note.txt", "inside")
        try folder.write("outside/note.txt", "OUTSIDE")
        let reader = ReadFileTool(root: folder.path("root"))
        let swapper = Swapper(root: folder.path("root"), outside: folder.path("outside"))
        swapper.start()
        var outcomes: [String: Int] = [:]
        for _ in 0..<5000 {
            let output = try await reader.call(#"{"path":"swap/note.txt"}"#)
            let kind =
                output.content == "OUTSIDE" ? "outside" : output.content == "inside" ? "inside" : "refused or missing"
            outcomes[kind, default: 0] += 1
        }
        await swapper.stop()
        #expect(outcomes["outside"] == nil, "\(outcomes)")
        #expect(swapper.swaps.load(ordering: .relaxed) > 0, "the folder was swapped while the reads ran")
        #expect(try await reader.call(#"{"path":"swap/note.txt"}"#) == ToolOutput("inside"))
    }
}
