/// A request an adapter cannot express in its provider's wire format (an image by URL for an API that takes only
/// base64), found before anything is sent. Not retried, and not worth a fallback to the same kind of provider.
public struct UnsupportedRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The provider's configured name.
    public var provider: String
    /// What cannot be sent, and what to do instead.
    public var message: String

    /// Creates an error.
    public init(provider: String, message: String) {
        self.provider = provider
        self.message = message
    }

    public var description: String { "provider '\(provider)': \(message)" }
}
