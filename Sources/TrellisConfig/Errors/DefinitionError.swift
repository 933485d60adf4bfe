/// A problem in an agent or workspace file, with the place it was found.
///
/// Prints as `path:line:column: message`, the form editors and terminals turn into links.
public struct DefinitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as given to the loader.
    public var file: String
    /// 1-based line, or 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based column, or 0 when the problem concerns the whole file.
    public var column: Int
    /// What is wrong, and how to fix it when we know.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}

/// Several definition problems found in one pass, so a user can fix them all at once.
public struct DefinitionErrors: Error, Sendable, CustomStringConvertible {
    /// The problems, in file and line order.
    public var errors: [DefinitionError]

    /// Creates a list of problems.
    public init(_ errors: [DefinitionError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
