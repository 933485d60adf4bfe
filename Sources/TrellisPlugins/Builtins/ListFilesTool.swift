import Foundation
import TrellisCore

/// `list_files`: lists a folder inside a configured root (`tools.list_files.root`, default the workspace).
public struct ListFilesTool: ToolExecutor {
    let root: ConfinedRoot
    let maxEntries: Int

    /// Creates the tool.
    ///
    /// - Parameters:
    ///   - root: The folder it may list; `..` and symbolic links out of it are refused (see ``ConfinedRoot``).
    ///   - maxEntries: Longer listings are cut, with a note.
    public init(root: String, maxEntries: Int = 1000) {
        self.root = ConfinedRoot(root)
        self.maxEntries = maxEntries
    }

    public let definition = ToolDefinition(
        name: "list_files",
        description:
            "Lists the files and folders in a folder, relative to the allowed root (default: the root itself).",
        parameters: [
            "type": "object",
            "properties": ["path": ["type": "string", "description": "Folder relative to the root; default '.'."]],
            "additionalProperties": false,
        ], idempotent: true)

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let relative = arguments["path"]?.stringValue ?? "."
        do {
            let entry = try root.open(relative)
            guard entry.isDirectory, let names = Self.names(in: entry) else {
                return .error("cannot list '\(relative)': not a folder")
            }
            var lines: [String] = []
            for name in names.prefix(maxEntries) {
                var status = stat()
                let found = fstatat(entry.descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0
                if found && status.st_mode & S_IFMT == S_IFDIR {
                    lines.append("\(name)/")
                } else {
                    lines.append("\(name)\t\(found ? Int(status.st_size) : 0) bytes")
                }
            }
            if names.count > maxEntries { lines.append("[\(names.count - maxEntries) more entries not shown]") }
            return ToolOutput(lines.isEmpty ? "(empty)" : lines.joined(separator: "\n"))
        } catch {
            return .error(error.description)
        }
    }

    /// The sorted names in the opened folder, read through the descriptor itself (`fdopendir` on a copy of it).
    private static func names(in entry: borrowing ConfinedEntry) -> [String]? {
        let copy = dup(entry.descriptor)
        guard copy >= 0 else { return nil }
        guard let folder = fdopendir(copy) else {
            close(copy)
            return nil
        }
        defer { closedir(folder) }
        var names: [String] = []
        while let item = readdir(folder) {
            let name = withUnsafeBytes(of: &item.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
