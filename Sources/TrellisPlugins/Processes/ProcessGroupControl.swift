#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signals and exit checks for a child process that leads its own process group (MCP servers, local model servers).
///
/// The owner reaps the child only once it is done with it (``reap(_:)``; Subprocess, for local model servers, after
/// its body returns), so until then an exited child stays a zombie: `waitid(..., WNOWAIT)` can read its status
/// without taking it away, and its group id cannot be reused.
package enum ProcessGroupControl {
    /// How a process ended.
    package enum Exit: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)
        case unknown

        /// `exited with status 3`, `was killed by signal 9`.
        package var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signaled(let signal): "was killed by signal \(signal)"
            case .unknown: "exited"
            }
        }
    }

    /// How the process ended, or `nil` while it runs; the process is left to be reaped by its owner.
    package static func exit(of pid: pid_t) -> Exit? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else {
            return errno == ECHILD ? .unknown : nil
        }
        return exit(of: pid, in: info)
    }

    /// Waits for the process to end and reaps it: only for a child that has been sent SIGKILL or has exited.
    static func reap(_ pid: pid_t) -> Exit {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED) != 0 {
            guard errno == EINTR else { return .unknown }
        }
        return exit(of: pid, in: info) ?? .unknown
    }

    private static func exit(of pid: pid_t, in info: siginfo_t) -> Exit? {
        #if canImport(Darwin)
            let (child, status) = (info.si_pid, info.si_status)
        #else
            let (child, status) = (info._sifields._sigchld.si_pid, info._sifields._sigchld.si_status)
        #endif
        guard child == pid else { return nil }
        return info.si_code == CLD_EXITED ? .exited(status) : .signaled(status)
    }

    /// Waits up to `limit` for the process to end, checking often at first and then every 20 ms.
    package static func waitForExit(of pid: pid_t, within limit: Duration) async -> Exit? {
        let deadline = ContinuousClock.now + limit
        var pause = Duration.milliseconds(1)
        while true {
            if let exit = exit(of: pid) { return exit }
            // A cancelled task cannot sleep; the caller escalates instead of waiting.
            if ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: min(pause, deadline - .now))
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Sends `signal` to every process in the group led by `pid` (the server runs in its own group).
    package static func signalGroup(_ pid: pid_t, _ signal: Int32) {
        _ = kill(-pid, signal)
    }
}
