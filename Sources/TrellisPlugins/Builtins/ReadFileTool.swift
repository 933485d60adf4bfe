import Foundation
import TrellisCore

/// `read_file`: reads a UTF-8 text file inside a configured root (`tools.read_file.root`, default the workspace).
public struct ReadFileTool: ToolExecutor {
    let root: ConfinedRoot
    let maxBytes: Int

    /// Creates the tool.
    ///
    /// - Parameters:
    ///   - root: The folder it may read from; `..` and symbolic links out of it are refused.
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
        ])

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let relative = arguments["path"]?.stringValue ?? ""
        do {
            let path = try root.resolve(relative)
            let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
            guard type != .typeDirectory else { return .error("'\(relative)' is a directory; use list_files") }
            // Opening a FIFO waits for a writer and reading a device may never end: either would hold the
            // thread for good, so only regular files are read.
            guard type == .typeRegular else { return .error("'\(relative)' is not a regular file") }
            guard let handle = FileHandle(forReadingAtPath: path) else { return .error("cannot open '\(relative)'") }
            defer { try? handle.close() }
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard var text = Self.decodeUTF8(data.prefix(maxBytes), truncated: data.count > maxBytes) else {
                return .error("'\(relative)' is not UTF-8 text")
            }
            if data.count > maxBytes { text += "\n[truncated at \(maxBytes) bytes]" }
            return ToolOutput(text)
        } catch let failure as ToolFailure {
            return .error(failure.description)
        }
    }

    /// Decodes UTF-8; a cut file may end inside a character, so up to 3 trailing bytes are dropped to find one.
    static func decodeUTF8(_ data: Data, truncated: Bool) -> String? {
        for drop in 0...(truncated ? min(3, data.count) : 0) {
            if let text = String(data: data.dropLast(drop), encoding: .utf8) { return text }
        }
        return nil
    }
}
