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

    /// What `read` gives for the input fed whole, after checking the other chunkings give the same.
    static func agreed<Result: Equatable>(_ bytes: [UInt8], _ what: String, _ read: ([[UInt8]]) -> Result)
        throws(InvariantFailure) -> Result
    {
        let whole = read(whole(bytes))
        for (name, chunks) in all(bytes).dropFirst() {
            let other = read(chunks)
            try require(other == whole, "\(what) fed \(name) differ: \(other) vs whole \(whole)")
        }
        return whole
    }
}
