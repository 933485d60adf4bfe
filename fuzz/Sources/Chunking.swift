/// The ways a fuzz input is cut into the chunks a network read might deliver.
enum Chunking {
    /// The whole input in one chunk.
    static func whole(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }

    /// Small pieces: one byte each for the first 256 bytes (every boundary falls between chunks, a `\r\n` and a
    /// UTF-8 character included), then 1 to 16 bytes each, sized by the byte a piece starts with. Feeding a
    /// long input one byte at a time cost most of a provider target's time.
    static func pieces(_ bytes: [UInt8]) -> [[UInt8]] {
        var chunks = bytes.prefix(256).map { [$0] }
        var start = chunks.count
        while start < bytes.count {
            let end = min(start + 1 + Int(bytes[start] % 16), bytes.count)
            chunks.append(Array(bytes[start..<end]))
            start = end
        }
        return chunks
    }

    /// Two chunks, cut at a point the fuzzer chooses through the input's last byte.
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        guard let last = bytes.last else { return [] }
        let point = Int(last) * bytes.count / 256
        return [Array(bytes[..<point]), Array(bytes[point...])]
    }

    /// The three chunkings, with names for failure messages.
    static func all(_ bytes: [UInt8]) -> [(name: String, chunks: [[UInt8]])] {
        [("whole", whole(bytes)), ("in pieces", pieces(bytes)), ("split", split(bytes))]
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
