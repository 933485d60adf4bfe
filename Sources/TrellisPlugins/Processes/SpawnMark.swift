import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The mark put in the environment of every process Trellis spawns (plugins, MCP servers, local model servers).
///
/// Descendants inherit the environment, so the mark still finds a grandchild that left its process group and
/// session (`setsid`), or one orphaned when Trellis was killed: ``ProcessSweep`` kills what carries one spawn's
/// mark when that spawn is over, and ``ProcessWatchdog`` what carries any of this process's marks once it is gone.
/// A process that clears its environment before `exec` loses the mark.
package enum SpawnMark {
    /// The environment variable holding the mark: `TRELLIS_SPAWN=<instance>_<n>`.
    package static let variable = "TRELLIS_SPAWN"

    /// This Trellis process's part of every mark: its pid and a random number, so marks of two Trellis processes
    /// (or of one pid reused) never match.
    package static let instance: String = {
        var generator = SystemRandomNumberGenerator()
        return "\(getpid())x" + String(generator.next() as UInt64, radix: 16)
    }()

    private static let counter = Atomic<Int>(0)

    /// A fresh mark for one spawn.
    package static func next() -> String {
        "\(instance)_\(counter.add(1, ordering: .relaxed).newValue)"
    }
}
