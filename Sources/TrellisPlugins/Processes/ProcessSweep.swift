#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds and kills leftover processes by the ``SpawnMark`` in their environment (`/proc/PID/environ`).
///
/// Killing a plugin's process group misses a descendant that moved to a group or session of its own; this scan
/// finds it by the mark it inherited. It reads the environment of each process the user may read, so a scan costs
/// a few microseconds per running process. Linux only (it needs `/proc`); elsewhere it finds nothing.
package enum ProcessSweep {
    /// Sends SIGKILL to every process started after `leader` whose environment holds exactly this mark, and scans
    /// again until none is left (a process may fork while it is killed), at most `rounds` times.
    ///
    /// A descendant of `leader` got a higher pid unless the pids wrapped around since, so only newer processes
    /// are read (reading another process's environment is the slow part, up to milliseconds on a busy machine);
    /// once `/proc/sys/kernel/ns_last_pid` is below `leader`, every process is. When no pid was handed out after
    /// `leader`'s (which must not be reaped yet, so its pid is not reused), nothing is read at all.
    ///
    /// - Returns: The pids that were sent SIGKILL.
    @discardableResult
    package static func killMarked(_ mark: String, after leader: pid_t, rounds: Int = 8) -> [pid_t] {
        let needle = Array("\(SpawnMark.variable)=\(mark)".utf8) + [0]
        var killed: [pid_t] = []
        for _ in 0..<rounds {
            let last = lastPID()
            // No process was started after the leader (a plugin that forked nothing): none can carry its mark, and
            // reading /proc, the slow part, is skipped.
            if last == leader { break }
            let lowest = (last.map { $0 < leader } ?? true) ? 0 : leader
            let found = processes(above: lowest) { environment in contains(environment, needle) }
            if found.isEmpty { break }
            for pid in found where kill(pid, SIGKILL) == 0 && !killed.contains(pid) { killed.append(pid) }
        }
        return killed
    }

    /// The pids of other processes above `lowest` whose environment satisfies `matches`.
    static func processes(above lowest: pid_t = 0, where matches: (UnsafeRawBufferPointer) -> Bool) -> [pid_t] {
        #if os(Linux)
            guard let folder = opendir("/proc") else { return [] }
            defer { closedir(folder) }
            let own = getpid()
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var found: [pid_t] = []
            while let entry = readdir(folder) {
                guard let pid = pid(named: entry), pid > lowest, pid != own else { continue }
                guard let length = readFile("/proc/\(pid)/environ", into: &buffer) else { continue }
                if buffer.withUnsafeBytes({ matches(UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }) {
                    found.append(pid)
                }
            }
            return found
        #else
            return []
        #endif
    }

    /// The last pid handed out in this pid namespace, or `nil` when it cannot be read.
    private static func lastPID() -> pid_t? {
        var buffer = [UInt8](repeating: 0, count: 32)
        guard let length = readFile("/proc/sys/kernel/ns_last_pid", into: &buffer) else { return nil }
        return pid_t(String(decoding: buffer.prefix(length).filter { $0 >= 48 && $0 <= 57 }, as: UTF8.self))
    }

    /// Whether a NUL-separated environment holds `needle` (a whole `NAME=value` followed by its NUL).
    private static func contains(_ environment: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        // Each variable starts after a NUL; the needle ends with one, so a match is a whole variable.
        let last = environment.count - needle.count
        var start = 0
        while start <= last {
            if environment[start..<start + needle.count].elementsEqual(needle) { return true }
            guard let end = environment[start...].firstIndex(of: 0) else { return false }
            start = end + 1
        }
        return false
    }

    /// The pid a `/proc` entry names, or `nil` for the entries that are not processes.
    private static func pid(named entry: UnsafeMutablePointer<dirent>) -> pid_t? {
        withUnsafeBytes(of: &entry.pointee.d_name) { name in
            var value: pid_t = 0
            for byte in name {
                if byte == 0 { break }
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + pid_t(byte - 48)
            }
            return value > 0 ? value : nil
        }
    }

    /// Reads a whole file into `buffer` (grown as needed); `nil` when it cannot be read.
    private static func readFile(_ path: String, into buffer: inout [UInt8]) -> Int? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var length = 0
        while true {
            if length == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { bytes in
                read(descriptor, bytes.baseAddress! + length, bytes.count - length)
            }
            if count < 0 { return nil }
            if count == 0 { return length }
            length += count
        }
    }
}
