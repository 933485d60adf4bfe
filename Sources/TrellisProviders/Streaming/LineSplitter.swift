/// Splits a byte stream into lines, for newline-delimited JSON (Yandex, Ollama). Accepts `\n` and `\r\n`; blank
/// lines are skipped; bytes are decoded as UTF-8 only once a line is whole, so a character split across chunks
/// survives.
struct LineSplitter: Sendable {
    private var line: [UInt8] = []

    /// Feeds bytes and returns the lines they complete.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == 0x0A {
                flush(into: &lines)
            } else {
                line.append(byte)
            }
        }
        return lines
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
