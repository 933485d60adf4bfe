import Foundation
import Synchronization

/// The last bytes a child process (an MCP server, a local model server) wrote to stderr, for error messages.
///
/// Keeps at most `capacity` bytes; ``text`` shows the last `shown` of them, cut at a line start and trimmed.
package final class StderrTail: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    private let closed = Atomic<Bool>(false)
    private let capacity: Int
    private let shown: Int

    package init(capacity: Int = 64 * 1024, shown: Int = 2048) {
        self.capacity = capacity
        self.shown = shown
    }

    /// Appends what the server wrote.
    package func append(_ chunk: some Collection<UInt8>) {
        bytes.withLock { bytes in
            bytes.append(contentsOf: chunk)
            if bytes.count > capacity { bytes.removeFirst(bytes.count - capacity) }
        }
    }

    /// Records that the server's stderr reached its end.
    package func close() { closed.store(true, ordering: .releasing) }

    /// Waits up to `limit` for the end of stderr, so that a dying server's last words are in its error.
    package func waitUntilClosed(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while !closed.load(ordering: .acquiring), ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The last lines, at most `shown` bytes, without surrounding blank space.
    package var text: String {
        var tail = bytes.withLock { ArraySlice($0.suffix(shown)) }
        if tail.count == shown, let newline = tail.firstIndex(of: 0x0A) {
            tail = tail[(newline + 1)...]
        }
        return String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
