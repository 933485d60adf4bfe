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
    /// Sends SIGKILL to every process whose environment holds exactly this mark, and scans again until none is
    /// left (a process may fork while it is killed), at most `rounds` times.
    ///
    /// - Returns: The pids that were sent SIGKILL.
    @discardableResult
    package static func killMarked(_ mark: String, rounds: Int = 8) -> [pid_t] {
        let needle = Array("\(SpawnMark.variable)=\(mark)".utf8) + [0]
        var killed: [pid_t] = []
        for _ in 0..<rounds {
            let found = processes { environment in contains(environment, needle) }
            if found.isEmpty { break }
            for pid in found where kill(pid, SIGKILL) == 0 && !killed.contains(pid) { killed.append(pid) }
        }
        return killed
    }

    /// The pids of other processes whose environment satisfies `matches`.
    static func processes(where matches: (UnsafeRawBufferPointer) -> Bool) -> [pid_t] {
        #if os(Linux)
            guard let folder = opendir("/proc") else { return [] }
            defer { closedir(folder) }
            let own = getpid()
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var found: [pid_t] = []
            while let entry = readdir(folder) {
                guard let pid = pid(named: entry), pid != own else { continue }
                guard let length = readEnvironment(of: pid, into: &buffer) else { continue }
                if buffer.withUnsafeBytes({ matches(UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }) {
                    found.append(pid)
                }
            }
            return found
        #else
            return []
        #endif
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

    /// Reads `/proc/PID/environ` into `buffer` (grown as needed); `nil` when it cannot be read.
    private static func readEnvironment(of pid: pid_t, into buffer: inout [UInt8]) -> Int? {
        let descriptor = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
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
