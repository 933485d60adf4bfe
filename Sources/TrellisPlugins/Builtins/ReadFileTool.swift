import Foundation
import TrellisCore

/// `read_file`: reads a UTF-8 text file inside a configured root (`tools.read_file.root`, default the workspace).
public struct ReadFileTool: ToolExecutor {
    let root: ConfinedRoot
    let maxBytes: Int

    /// Creates the tool.
    ///
    /// - Parameters:
    ///   - root: The folder it may read from; `..` and symbolic links out of it are refused (see ``ConfinedRoot``).
    ///   - maxBytes: Longer files are cut at this size, with a note.
    public init(root: String, maxBytes: Int = 256 * 1024) {
        self.root = ConfinedRoot(root)
        self.maxBytes = maxBytes
    }

    public let definition = ToolDefinition(
        name: "read_file",
        description: "Reads a text file. Paths are relative to the allowed root folder.",
        parameters: [
            "type": "object",
            "properties": [
                "path": ["type": "string", "minLength": 1, "description": "File path relative to the root."]
            ],
            "required": ["path"],
            "additionalProperties": false,
        ], idempotent: true)

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let relative = arguments["path"]?.stringValue ?? ""
        do {
            let entry = try root.open(relative)
            guard !entry.isDirectory else { return .error("'\(relative)' is a directory; use list_files") }
            // Opening a FIFO waits for a writer and reading a device may never end: only regular files are read
            // (the walk does not open either, and this checks what was opened).
            guard entry.isRegularFile else { return .error("'\(relative)' is not a regular file") }
            guard let data = Self.read(entry, upTo: maxBytes + 1) else { return .error("cannot read '\(relative)'") }
            guard var text = Self.decodeUTF8(data.prefix(maxBytes), truncated: data.count > maxBytes) else {
                return .error("'\(relative)' is not UTF-8 text")
            }
            if data.count > maxBytes { text += "\n[truncated at \(maxBytes) bytes]" }
            return ToolOutput(text)
        } catch {
            return .error(error.description)
        }
    }

    /// Up to `limit` bytes from the opened file, or `nil` on a read error.
    private static func read(_ entry: borrowing ConfinedEntry, upTo limit: Int) -> Data? {
        var data = Data(count: limit)
        var length = 0
        while length < limit {
            let count = data.withUnsafeMutableBytes { bytes in
                Foundation.read(entry.descriptor, bytes.baseAddress! + length, limit - length)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            length += count
        }
        return data.prefix(length)
    }

    /// Decodes UTF-8; a cut file may end inside a character, so up to 3 trailing bytes are dropped to find one.
    static func decodeUTF8(_ data: Data, truncated: Bool) -> String? {
        for drop in 0...(truncated ? min(3, data.count) : 0) {
            if let text = String(data: data.dropLast(drop), encoding: .utf8) { return text }
        }
        return nil
    }
}
