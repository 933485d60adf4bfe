import Foundation
import TrellisCore

/// `list_files`: lists a folder inside a configured root (`tools.list_files.root`, default the workspace).
public struct ListFilesTool: ToolExecutor {
    let root: ConfinedRoot
    let maxEntries: Int

    /// Creates the tool.
    ///
    /// - Parameters:
    ///   - root: The folder it may list; `..` and symbolic links out of it are refused.
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
        ])

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let relative = arguments["path"]?.stringValue ?? "."
        do {
            let path = try root.resolve(relative)
            let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            var lines: [String] = []
            for name in names.prefix(maxEntries) {
                let full = (path as NSString).appendingPathComponent(name)
                let attributes = try? FileManager.default.attributesOfItem(atPath: full)
                let type = attributes?[.type] as? FileAttributeType
                if type == .typeDirectory {
                    lines.append("\(name)/")
                } else {
                    lines.append("\(name)\t\((attributes?[.size] as? NSNumber)?.intValue ?? 0) bytes")
                }
            }
            if names.count > maxEntries { lines.append("[\(names.count - maxEntries) more entries not shown]") }
            return ToolOutput(lines.isEmpty ? "(empty)" : lines.joined(separator: "\n"))
        } catch let failure as ToolFailure {
            return .error(failure.description)
        } catch {
            return .error("cannot list '\(relative)': not a folder")
        }
    }
}
