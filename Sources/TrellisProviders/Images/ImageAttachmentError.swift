/// An image that cannot be attached to a message: missing, unreadable, too large, or not an image.
public struct ImageAttachmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the file.
    public var message: String

    /// Creates an error.
    public init(message: String) { self.message = message }

    public var description: String { message }
}
