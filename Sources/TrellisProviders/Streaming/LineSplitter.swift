/// Splits a byte stream into lines, for newline-delimited JSON (Yandex, Ollama). Accepts `\n` and `\r\n`; blank
/// lines are skipped; bytes are decoded as UTF-8 only once a line is whole, so a character split across chunks
/// survives. A line longer than its cap is refused.
struct LineSplitter: Sendable {
    private var line: [UInt8] = []
    /// The longest line, in bytes.
    var maxLineBytes: Int

    /// Creates a splitter for lines of up to `maxLineBytes`.
    init(maxLineBytes: Int = ReplyLimits.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes and returns the lines they complete.
    ///
    /// - Throws: ``StreamLineTooLong`` once the line being read passes ``maxLineBytes``.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(StreamLineTooLong) -> [String] {
        // Whole runs between newlines are copied at once (see SSEParser.feed).
        var outcome: Result<[String], StreamLineTooLong>?
        bytes.withContiguousStorageIfAvailable { outcome = feed(contiguous: $0) }
        return try (outcome ?? Array(bytes).withUnsafeBufferPointer { feed(contiguous: $0) }).get()
    }

    private mutating func feed(contiguous bytes: UnsafeBufferPointer<UInt8>) -> Result<[String], StreamLineTooLong> {
        var lines: [String] = []
        var index = 0
        while index < bytes.count {
            let runStart = index
            while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            line.append(contentsOf: bytes[runStart..<index])
            if line.count > maxLineBytes { return .failure(StreamLineTooLong(limit: maxLineBytes)) }
            guard index < bytes.count else { break }
            flush(into: &lines)
            index += 1
        }
        return .success(lines)
    }

    /// The last line, when the stream did not end with a newline.
    mutating func finish() -> [String] {
        var lines: [String] = []
        flush(into: &lines)
        return lines
    }

    private mutating func flush(into lines: inout [String]) {
        if line.last == 0x0D { line.removeLast() }
        let text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if !text.allSatisfy(\.isWhitespace) { lines.append(text) }
    }
}
