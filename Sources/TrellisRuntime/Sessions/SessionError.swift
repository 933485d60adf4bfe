/// Why a session could not be used.
public enum SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another process is running the session.
    case busy(name: String, pid: Int32)
    /// No session has that name.
    case notFound(name: String, known: [String])
    /// The name is not 1 to 64 letters, digits, `.`, `_` or `-`.
    case invalidName(String)
    /// The stored state cannot be read (another version, or damaged).
    case unreadable(name: String, reason: String)
    /// The database failed.
    case database(path: String, message: String)

    /// One line for people.
    public var description: String {
        switch self {
        case .busy(let name, let pid):
            "session '\(name)' is in use by another trellis (pid \(pid)); wait for it to finish or stop it"
        case .notFound(let name, let known):
            "no session named '\(name)'"
                + (known.isEmpty ? "; there are no sessions yet" : "; sessions: " + known.joined(separator: ", "))
        case .invalidName(let name):
            "session name '\(name)' must be 1 to 64 letters, digits, '.', '_' or '-'"
        case .unreadable(let name, let reason):
            "session '\(name)' cannot be read: \(reason)"
        case .database(let path, let message):
            "\(path): \(message)"
        }
    }

    /// Whether `name` may name a session.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
