import Foundation

/// A fresh folder under the system's temporary directory, for tests that need files; removed by ``remove()``.
///
/// ```swift
/// let folder = try TemporaryFolder("trellis-local")
/// defer { folder.remove() }
/// try folder.write("agents/a.yaml", "model: openai/gpt-4o-mini\n")
/// ```
public struct TemporaryFolder: Sendable {
    /// The folder's absolute path, symlinks resolved.
    public let path: String

    /// Creates the folder, named `prefix-UUID`.
    public init(_ prefix: String = "trellis-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        path = (base as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The absolute path of `relative` inside the folder.
    public func path(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }

    /// Writes a file (creating its folders), optionally executable.
    public func write(_ relative: String, _ text: String, executable: Bool = false) throws {
        let file = path(relative)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
    }

    /// Removes the folder and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
