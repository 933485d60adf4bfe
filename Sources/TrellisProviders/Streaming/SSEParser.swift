/// One Server-Sent Event.
struct SSEEvent: Sendable, Hashable {
    /// The `event:` name, or `nil` for the default (`message`).
    var name: String?
    /// The `data:` lines, joined with newlines.
    var data: String
}

/// Splits a byte stream into Server-Sent Events (WHATWG `text/event-stream`).
///
/// Accepts `\n`, `\r\n` and `\r` line ends, ignores comment lines (`:` keep-alives) and `id:`/`retry:`, joins
/// multi-line `data:`, and hands out an event at each blank line, or at the end of the stream. An event (or line)
/// longer than its cap is refused.
struct SSEParser {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var name: String?
    private var lastWasCR = false
    /// The longest event, its `data:` lines together, in bytes.
    var maxEventBytes: Int

    /// Creates a parser for events of up to `maxEventBytes`.
    init(maxEventBytes: Int = ReplyLimits.defaultMaxLineBytes) {
        self.maxEventBytes = maxEventBytes
    }

    /// Feeds bytes and returns the events they complete.
    ///
    /// - Throws: ``StreamLineTooLong`` once the event being read passes ``maxEventBytes``.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(StreamLineTooLong) -> [SSEEvent] {
        // Whole runs between line ends are copied at once: a byte-at-a-time loop over a ByteBufferView costs
        // microseconds per byte in a debug build and dominates a large reply in any build.
        var outcome: Result<[SSEEvent], StreamLineTooLong>?
        bytes.withContiguousStorageIfAvailable { outcome = feed(contiguous: $0) }
        return try (outcome ?? Array(bytes).withUnsafeBufferPointer { feed(contiguous: $0) }).get()
    }

    private mutating func feed(contiguous bytes: UnsafeBufferPointer<UInt8>) -> Result<[SSEEvent], StreamLineTooLong> {
        var events: [SSEEvent] = []
        var index = 0
        while index < bytes.count {
            if lastWasCR {
                lastWasCR = false
                if bytes[index] == 0x0A {
                    index += 1
                    continue
                }
            }
            let runStart = index
            while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
            line.append(contentsOf: bytes[runStart..<index])
            if line.count + data.count > maxEventBytes { return .failure(StreamLineTooLong(limit: maxEventBytes)) }
            guard index < bytes.count else { break }
            lastWasCR = bytes[index] == 0x0D
            endLine(into: &events)
            index += 1
        }
        return .success(events)
    }

    /// Ends the stream, returning a last event that had no blank line after it.
    mutating func finish() -> [SSEEvent] {
        var events: [SSEEvent] = []
        if !line.isEmpty { endLine(into: &events) }
        dispatch(into: &events)
        return events
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line[0] == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[..<colon]
        var valueStart = colon < line.endIndex ? line.index(after: colon) : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            name = String(decoding: value, as: UTF8.self)
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        if hasData {
            events.append(SSEEvent(name: name, data: String(decoding: data, as: UTF8.self)))
        }
        data.removeAll(keepingCapacity: true)
        hasData = false
        name = nil
    }
}
