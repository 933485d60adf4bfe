/// The ways a fuzz input is cut into the chunks a network read might deliver.
enum Chunking {
    /// The whole input in one chunk.
    static func whole(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }

    /// One byte per chunk: every boundary falls between chunks, a `\r\n` and a UTF-8 character included.
    static func bytewise(_ bytes: [UInt8]) -> [[UInt8]] { bytes.map { [$0] } }

    /// Two chunks, cut at a point the fuzzer chooses through the input's last byte.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        guard let last = bytes.last else { return [] }
        let point = Int(last) * bytes.count / 256
        return [Array(bytes[..<point]), Array(bytes[point...])]
    }

    /// The three chunkings, with names for failure messages.
    static func all(_ bytes: [UInt8]) -> [(name: String, chunks: [[UInt8]])] {
        [("whole", whole(bytes)), ("byte by byte", bytewise(bytes)), ("split", split(bytes))]
    }
}
