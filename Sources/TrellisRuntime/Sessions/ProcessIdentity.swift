import Foundation

/// A process named so that a reused pid is not mistaken for it: its pid and its start time (field 22 of
/// `/proc/PID/stat`, in clock ticks since boot).
struct ProcessIdentity: Sendable, Hashable {
    var pid: Int32
    var start: String

    /// This process.
    static let current = ProcessIdentity(pid: getpid(), start: startTime(of: getpid()) ?? "")

    /// Whether the process still runs.
    var isAlive: Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        // Where /proc cannot tell, a live pid is taken as the owner.
        guard let now = Self.startTime(of: pid) else { return true }
        return now == start
    }

    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)" the fields go on from the third; the start time is the 22nd.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
