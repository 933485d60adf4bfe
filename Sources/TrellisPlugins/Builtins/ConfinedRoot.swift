import Foundation

/// A directory that file tools may not leave: `..` components are refused outright, and the real path of every
/// target (symbolic links resolved) must lie inside the real path of the root.
struct ConfinedRoot: Sendable {
    /// The root's real path.
    let path: String

    init(_ root: String) {
        path = URL(fileURLWithPath: root).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// The real path of `relative` inside the root.
    ///
    /// - Throws: A message naming the problem when the path escapes the root or does not exist.
    func resolve(_ relative: String) throws(ToolFailure) -> String {
        let components = relative.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains("..") {
            throw ToolFailure("'\(relative)' is refused: '..' may not be used to leave the root")
        }
        let joined = relative.hasPrefix("/") ? relative : (path as NSString).appendingPathComponent(relative)
        // Refuse paths outside the root before looking at them, so the tool cannot probe what exists elsewhere.
        guard contains(URL(fileURLWithPath: joined).standardizedFileURL.path) else {
            throw ToolFailure("'\(relative)' is refused: it resolves outside the allowed root")
        }
        guard FileManager.default.fileExists(atPath: joined) else { throw ToolFailure("'\(relative)' does not exist") }
        let real = URL(fileURLWithPath: joined).resolvingSymlinksInPath().standardizedFileURL.path
        guard contains(real) else {
            throw ToolFailure("'\(relative)' is refused: it resolves outside the allowed root")
        }
        return real
    }

    private func contains(_ candidate: String) -> Bool {
        candidate == path || candidate.hasPrefix(path.hasSuffix("/") ? path : path + "/")
    }
}

/// A failure a tool reports to the model as an error result.
struct ToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
