import Foundation
import Testing
import TrellisCore
import TrellisPlugins

/// `read_file` and `list_files` stay inside their root.
struct FileToolsTests {
    let tree: TemporaryTree
    let reader: ReadFileTool
    let lister: ListFilesTool

    init() throws {
        tree = try TemporaryTree()
        reader = ReadFileTool(root: tree.root)
        lister = ListFilesTool(root: tree.root)
    }

    // MARK: - read_file

    @Test("reads a file inside the root, also in a subfolder and by an absolute path inside")
    func readsInside() async throws {
        #expect(try await reader.call(#"{"path":"notes.txt"}"#) == ToolOutput("hello"))
        #expect(try await reader.call(#"{"path":"sub/inner.txt"}"#) == ToolOutput("inner"))
        #expect(try await reader.call(#"{"path":"./sub//inner.txt"}"#) == ToolOutput("inner"))
        let absolute = JSONValue.object(JSONObject([("path", .string(tree.root + "/notes.txt"))])).serialized()
        #expect(try await reader.call(absolute) == ToolOutput("hello"))
    }

    @Test("a root given with a trailing slash works the same")
    func rootWithTrailingSlash() async throws {
        let reader = ReadFileTool(root: tree.root + "/")
        #expect(try await reader.call(#"{"path":"notes.txt"}"#) == ToolOutput("hello"))
        #expect(try await reader.call(#"{"path":"escape.txt"}"#).isError)
        let lister = ListFilesTool(root: tree.root + "/")
        #expect(try await lister.call(#"{"path":"sub"}"#) == ToolOutput("inner.txt\t5 bytes"))
        #expect(try await lister.call("{}").content.contains("notes.txt"))
    }

    @Test("a symbolic link that stays inside the root is followed")
    func insideLinkFollowed() async throws {
        #expect(try await reader.call(#"{"path":"local-link"}"#) == ToolOutput("hello"))
    }

    @Test("a root given through a symbolic link works")
    func rootThroughLink() async throws {
        let viaLink = ReadFileTool(root: tree.base + "/root-link")
        #expect(try await viaLink.call(#"{"path":"notes.txt"}"#) == ToolOutput("hello"))
        let refused = try await viaLink.call(#"{"path":"escape.txt"}"#)
        #expect(refused.isError)
    }

    @Test(
        "'..' is refused, even when it would land back inside",
        arguments: ["../outside/secret.txt", "sub/../notes.txt", ".."])
    func dotDotRefused(path: String) async throws {
        let output = try await reader.call(#"{"path":"\#(path)"}"#)
        #expect(output.isError)
        #expect(output.content == "'\(path)' is refused: '..' may not be used to leave the root")
        #expect(!output.content.contains("top secret"))
    }

    @Test("an absolute path outside the root is refused")
    func absoluteOutsideRefused() async throws {
        for path in [tree.outside + "/secret.txt", tree.base + "/root-evil/secret.txt", "/etc/hostname"]
        where FileManager.default.fileExists(atPath: path) {
            let output = try await reader.execute(arguments: ["path": .string(path)], context: testContext)
            #expect(output.isError, "\(path)")
            #expect(output.content == "'\(path)' is refused: it resolves outside the allowed root")
        }
    }

    @Test("a missing path outside the root is refused too, so outside paths cannot be probed")
    func missingOutsideRefused() async throws {
        let existing = tree.outside + "/secret.txt"
        let missing = tree.outside + "/no-such-file.txt"
        let first = try await reader.execute(arguments: ["path": .string(existing)], context: testContext)
        let second = try await reader.execute(arguments: ["path": .string(missing)], context: testContext)
        #expect(first.isError)
        #expect(second.isError)
        #expect(second.content == "'\(missing)' is refused: it resolves outside the allowed root")
    }

    @Test(
        "a symbolic link inside the root pointing outside is refused",
        arguments: ["escape.txt", "escape-dir/secret.txt"])
    func linkOutsideRefused(path: String) async throws {
        let output = try await reader.call(#"{"path":"\#(path)"}"#)
        #expect(output.isError)
        #expect(output.content == "'\(path)' is refused: it resolves outside the allowed root")
        #expect(!output.content.contains("top secret"))
    }

    @Test("a missing file is an error naming it")
    func missingFile() async throws {
        let output = try await reader.call(#"{"path":"nope.txt"}"#)
        #expect(output == .error("'nope.txt' does not exist"))
    }

    @Test("a folder is an error pointing at list_files")
    func folderIsNotAFile() async throws {
        let output = try await reader.call(#"{"path":"sub"}"#)
        #expect(output == .error("'sub' is a directory; use list_files"))
    }

    @Test("a named pipe is refused at once instead of waiting for a writer")
    func namedPipeIsNotAFile() async throws {
        #expect(mkfifo(tree.root + "/pipe", 0o600) == 0)
        let output = try await reader.call(#"{"path":"pipe"}"#)
        #expect(output == .error("'pipe' is not a regular file"))
    }

    @Test("a long file is cut at max_bytes with a note")
    func truncation() async throws {
        let small = ReadFileTool(root: tree.root, maxBytes: 4)
        #expect(try await small.call(#"{"path":"notes.txt"}"#) == ToolOutput("hell\n[truncated at 4 bytes]"))
        let exact = ReadFileTool(root: tree.root, maxBytes: 5)
        #expect(try await exact.call(#"{"path":"notes.txt"}"#) == ToolOutput("hello"))
    }

    @Test("cutting a UTF-8 file inside a multi-byte character still returns text")
    func truncationInsideCharacter() async throws {
        try tree.write("héllo", to: "root/accent.txt")  // h, C3 A9, l, l, o
        let reader = ReadFileTool(root: tree.root, maxBytes: 2)
        let output = try await reader.call(#"{"path":"accent.txt"}"#)
        #expect(output == ToolOutput("h\n[truncated at 2 bytes]"))
    }

    @Test("a file that is not UTF-8 is an error")
    func binaryFile() async throws {
        try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: URL(fileURLWithPath: tree.root + "/blob.bin"))
        let output = try await reader.call(#"{"path":"blob.bin"}"#)
        #expect(output == .error("'blob.bin' is not UTF-8 text"))
    }

    @Test("the schema requires a non-empty path and nothing else")
    func readSchema() {
        let validator = JSONSchemaValidator(schema: reader.definition.parameters)
        #expect(reader.definition.name == "read_file")
        #expect(!validator.violations(of: [:]).isEmpty)
        #expect(!validator.violations(of: ["path": ""]).isEmpty)
        #expect(!validator.violations(of: ["path": "a", "mode": "w"]).isEmpty)
        #expect(validator.violations(of: ["path": "a"]).isEmpty)
    }

    // MARK: - list_files

    @Test("lists the root, sorted, folders with a slash and files with their size")
    func listsRoot() async throws {
        let output = try await lister.call("{}")
        #expect(!output.isError)
        let lines = output.content.split(separator: "\n").map(String.init)
        #expect(lines.contains("notes.txt\t5 bytes"))
        #expect(lines.contains("sub/"))
        #expect(lines.contains("empty/"))
        #expect(lines == lines.sorted())
        #expect(!output.content.contains("top secret"))
    }

    @Test("lists a subfolder and says when a folder is empty")
    func listsSubfolder() async throws {
        #expect(try await lister.call(#"{"path":"sub"}"#) == ToolOutput("inner.txt\t5 bytes"))
        #expect(try await lister.call(#"{"path":"empty"}"#) == ToolOutput("(empty)"))
    }

    @Test("long listings are cut with a note")
    func listingLimit() async throws {
        let short = ListFilesTool(root: tree.root, maxEntries: 2)
        let output = try await short.call("{}")
        let lines = output.content.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.last?.hasSuffix("more entries not shown]") == true)
    }

    @Test("listing outside the root is refused", arguments: ["..", "../outside", "escape-dir"])
    func listOutsideRefused(path: String) async throws {
        let output = try await lister.call(#"{"path":"\#(path)"}"#)
        #expect(output.isError)
        #expect(output.content.hasPrefix("'\(path)' is refused"))
        #expect(!output.content.contains("secret.txt"))
    }

    @Test("an absolute path outside the root is refused for listing")
    func listAbsoluteOutside() async throws {
        let output = try await lister.execute(arguments: ["path": .string(tree.outside)], context: testContext)
        #expect(output == .error("'\(tree.outside)' is refused: it resolves outside the allowed root"))
    }

    @Test("listing a file or a missing folder is an error")
    func listNotAFolder() async throws {
        #expect(try await lister.call(#"{"path":"notes.txt"}"#) == .error("cannot list 'notes.txt': not a folder"))
        #expect(try await lister.call(#"{"path":"gone"}"#) == .error("'gone' does not exist"))
    }
}
