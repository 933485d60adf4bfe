import Foundation

/// A directory that file tools may not leave: `..` components are refused outright, and every path is opened by
/// walking it from a descriptor of the root without following a symbolic link blindly (see ``open(_:)``), so a
/// folder swapped for a link while a tool runs cannot lead outside.
///
/// Symbolic links inside the root keep working when they stay inside: relative ones from the folder that holds
/// them, absolute ones when they name the root's real path. A link that leads outside is refused. Hard links are
/// not links to the walk: a hard link inside the root to a file elsewhere is read like any file.
struct ConfinedRoot: Sendable {
    /// The root's real path.
    let path: String

    init(_ root: String) {
        path = URL(fileURLWithPath: root).resolvingSymlinksInPath().standardizedFileURL.path
    }
}

/// A failure a tool reports to the model as an error result.
struct ToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
