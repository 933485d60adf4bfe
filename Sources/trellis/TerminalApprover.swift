import Foundation
import TrellisCore

/// Asks on the controlling terminal before each call whose approval rule is `ask`.
///
/// It reads `/dev/tty`, not standard input, so it works when the input is piped in; with no controlling
/// terminal there is nobody to ask and ``ifAvailable()`` returns `nil` (the runner then refuses such calls).
/// Prompts run one at a time on their own queue, so waiting for a person never holds a concurrency thread.
final class TerminalApprover: ToolApprover {
    private let terminal: FileHandle
    private let queue = DispatchQueue(label: "trellis.approval")

    private init(terminal: FileHandle) { self.terminal = terminal }

    /// An approver on the controlling terminal, or `nil` when the process has none.
    static func ifAvailable() -> TerminalApprover? {
        let descriptor = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else { return nil }
        guard isatty(descriptor) == 1 else {
            close(descriptor)
            return nil
        }
        return TerminalApprover(terminal: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
    }

    func decide(_ call: ToolCall, agent: String) async -> ToolApprovalDecision {
        let arguments = call.arguments.count > 300 ? String(call.arguments.prefix(300)) + "…" : call.arguments
        let prompt = Data("\(agent) wants to call \(call.name) \(arguments)\nallow? [y/N] ".utf8)
        return await withCheckedContinuation { continuation in
            queue.async { [terminal] in
                terminal.write(prompt)
                let answer = Self.readLine(terminal)
                let yes = answer.map { ["y", "yes"].contains($0.lowercased()) } ?? false
                continuation.resume(returning: yes ? .approve : .deny)
            }
        }
    }

    /// One line typed on the terminal, without its newline; `nil` at end of input.
    private static func readLine(_ terminal: FileHandle) -> String? {
        var bytes: [UInt8] = []
        while true {
            guard let data = try? terminal.read(upToCount: 1), let byte = data.first else {
                return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}
