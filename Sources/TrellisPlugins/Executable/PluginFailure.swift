import Foundation

/// Why a plugin process produced no usable reply, in the words the model and the user read.
struct PluginFailure: Error, Sendable, Hashable {
    /// The cause, without plugin or tool name (`exited with status 3`).
    var cause: String
    /// The end of the process's stderr, trimmed; empty when it wrote none.
    var stderrTail: String

    /// How much of stderr an error shows.
    static let shownStderrBytes = 2048

    init(_ cause: String, stderr: [UInt8] = []) {
        self.cause = cause
        self.stderrTail = Self.tail(of: stderr)
    }

    /// `plugin 'NAME', tool 'TOOL': CAUSE`, then the stderr tail on its own lines.
    func message(plugin: String, tool: String?) -> String {
        let subject = tool.map { "plugin '\(plugin)', tool '\($0)'" } ?? "plugin '\(plugin)'"
        return "\(subject): \(detail)"
    }

    /// The cause, then the stderr tail on its own lines.
    var detail: String { cause + (stderrTail.isEmpty ? "" : "\nstderr:\n\(stderrTail)") }

    /// The last ``shownStderrBytes`` of stderr as text, starting at a character boundary, trimmed.
    static func tail(of bytes: [UInt8]) -> String {
        var end = bytes.suffix(shownStderrBytes)
        while let first = end.first, first & 0xC0 == 0x80 { end = end.dropFirst() }
        return String(decoding: end, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What a termination status means for a call that did not time out and was not stopped for its output.
    static func describe(_ status: ProcessGroupControl.Exit) -> String? {
        switch status {
        case .exited(0), .unknown: return nil
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal):
            let name = signalNames[signal].map { " (\($0))" } ?? ""
            return "was killed by signal \(signal)\(name)"
        }
    }

    private static let signalNames: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL",
        11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
    ]
}

extension PluginFailure {
    /// The same failure with its cause prefixed (`--describe: ...`).
    func prefixed(_ prefix: String) -> PluginFailure {
        var copy = self
        copy.cause = prefix + cause
        return copy
    }
}
