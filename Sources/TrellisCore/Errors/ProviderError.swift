/// A failure talking to a model provider.
///
/// Carries the provider's name, the HTTP status, the vendor's error code and the first bytes of the body — never
/// request headers or keys.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable, Hashable {
        case http, connection, timeout, malformedResponse, truncatedStream, streamError, unsupportedRequest,
            streamRefused
    }

    private let code: Code
    /// The provider's configured name (`openai`, `local`, ...).
    public var provider: String
    /// What went wrong, in one line.
    public private(set) var message: String
    /// The HTTP status, for errors the provider answered.
    public var status: Int?
    /// The vendor's error code or type (`rate_limit_exceeded`), when it sent one.
    public private(set) var vendorCode: String?
    /// The first bytes of the response body.
    public private(set) var bodySnippet: String?
    /// Whether retrying the same request may succeed.
    public var isRetryable: Bool
    /// How long the provider asked us to wait before retrying.
    public var retryAfter: Duration?
    /// The message and body before they were cut to their excerpts (bounded by ``redactionMargin``), so that
    /// ``redacting(_:)`` replaces a key before the cut and never leaves half of it at the excerpt's end.
    private var sourceMessage: String
    private var sourceBody: String?
    /// What ``appending(_:)`` added to the message.
    private var notes = ""

    /// The longest message, in characters; longer ones are cut with `…`.
    static let messageLimit = 300
    /// The longest body excerpt, in characters.
    static let bodyLimit = 200
    /// How much text past an excerpt's end is kept for redaction: a key of up to this length that straddles the
    /// cut is still found whole.
    static let redactionMargin = 1024

    private init(
        code: Code, provider: String, message: String, status: Int? = nil, vendorCode: String? = nil,
        body: String? = nil, isRetryable: Bool, retryAfter: Duration? = nil
    ) {
        self.code = code
        self.provider = provider
        // One line, whatever the vendor sent: CLI errors and logs stay one line per problem.
        self.sourceMessage = Self.snippet(message, limit: Self.messageLimit + Self.redactionMargin)
        self.message = Self.snippet(message, limit: Self.messageLimit)
        self.status = status
        self.vendorCode = vendorCode
        self.sourceBody = body.map { Self.snippet($0, limit: Self.bodyLimit + Self.redactionMargin) }
        self.bodySnippet = body.map { Self.snippet($0, limit: Self.bodyLimit) }
        self.isRetryable = isRetryable
        self.retryAfter = retryAfter
    }

    /// The provider answered with an HTTP error status.
    public static func http(
        provider: String, status: Int, message: String, vendorCode: String?, body: String, retryAfter: Duration? = nil
    ) -> ProviderError {
        let quota = vendorCode == "insufficient_quota"
        let retryable = !quota && [408, 409, 429, 500, 502, 503, 504, 529].contains(status)
        return ProviderError(
            code: .http, provider: provider, message: message, status: status, vendorCode: vendorCode,
            body: body, isRetryable: retryable, retryAfter: retryAfter)
    }

    /// The provider could not be reached.
    public static func connection(provider: String, message: String) -> ProviderError {
        ProviderError(code: .connection, provider: provider, message: message, isRetryable: true)
    }

    /// The provider did not answer within the request's deadline.
    public static func timeout(provider: String, after duration: Duration) -> ProviderError {
        ProviderError(
            code: .timeout, provider: provider, message: "no reply within \(duration.seconds)s", isRetryable: true)
    }

    /// A streamed reply stopped sending anything for `duration` (the provider's `timeout`) before its end.
    public static func streamStalled(provider: String, after duration: Duration) -> ProviderError {
        ProviderError(
            code: .timeout, provider: provider, message: "no data for \(duration.seconds)s while streaming",
            isRetryable: true)
    }

    /// Whether this is a timeout: no reply, or a stream that stalled.
    public var isTimeout: Bool { code == .timeout }

    /// The reply, or one line of a streamed reply, is larger than Trellis reads (`what` names it and its cap). Not
    /// retried: the same request would run away again.
    public static func replyTooLarge(provider: String, _ what: String, status: Int?) -> ProviderError {
        ProviderError(
            code: .malformedResponse, provider: provider, message: "\(what); Trellis stopped reading it",
            status: status, isRetryable: false)
    }

    /// The provider answered with something the adapter does not understand.
    public static func malformedResponse(provider: String, message: String, status: Int?, body: String) -> ProviderError
    {
        ProviderError(
            code: .malformedResponse, provider: provider, message: message, status: status, body: body,
            isRetryable: false)
    }

    /// A streamed reply ended before its terminal marker.
    public static func truncatedStream(provider: String, message: String) -> ProviderError {
        ProviderError(code: .truncatedStream, provider: provider, message: message, isRetryable: true)
    }

    /// The provider accepted a streamed request but sent nothing at all (HTTP 200 with an empty body): it cannot
    /// stream this request (llama-cpp-python's server with `tool_choice: auto`). Not a truncated reply: the
    /// runner sends the same request unstreamed.
    public static func streamRefused(provider: String, status: Int) -> ProviderError {
        ProviderError(
            code: .streamRefused, provider: provider,
            message: "the server answered the streamed request with an empty body: it cannot stream "
                + "this request; send it without streaming",
            status: status, isRetryable: false)
    }

    /// Whether this is ``streamRefused(provider:status:)``: the same request may be sent unstreamed.
    public var isStreamRefused: Bool { code == .streamRefused }

    /// The provider reported an error in the middle of a streamed reply.
    public static func streamError(provider: String, message: String, vendorCode: String?) -> ProviderError {
        ProviderError(
            code: .streamError, provider: provider, message: "error in stream: \(message)", vendorCode: vendorCode,
            isRetryable: false)
    }

    /// A request the adapter cannot express in its provider's wire format (an image for a text-only API, a model
    /// name it cannot resolve), found before anything is sent. Not retried; a fallback model may still take it.
    public static func unsupportedRequest(provider: String, message: String) -> ProviderError {
        ProviderError(code: .unsupportedRequest, provider: provider, message: message, isRetryable: false)
    }

    /// The same error with every occurrence of `secret` replaced by `[redacted]`, for servers that echo a key
    /// back in their error bodies.
    ///
    /// The vendor's text is redacted before it is cut to its excerpt, and a piece of the secret left at an
    /// excerpt's edge is redacted too (``SecretRedaction``): a key straddling the cut never shows half of itself.
    public func redacting(_ secret: String?) -> ProviderError {
        guard let secret, secret.count >= SecretRedaction.minimumPartial else { return self }
        func redact(_ text: String) -> String { SecretRedaction.redact(text, secret: secret) }
        var copy = self
        copy.sourceMessage = redact(sourceMessage)
        copy.notes = redact(notes)
        copy.message = redact(Self.snippet(copy.sourceMessage, limit: Self.messageLimit)) + copy.notes
        copy.sourceBody = sourceBody.map(redact)
        copy.bodySnippet = copy.sourceBody.map { redact(Self.snippet($0, limit: Self.bodyLimit)) }
        copy.vendorCode = vendorCode.map(redact)
        return copy
    }

    /// The same error with `note` added to its message (not cut to one line's length).
    public func appending(_ note: String) -> ProviderError {
        var copy = self
        copy.notes += note
        copy.message += note
        return copy
    }

    /// A stable, value-free label for metrics and the `error.code` of a run result.
    public var shortDescription: String {
        switch code {
        case .http: return "provider_http_error"
        case .connection: return "provider_unreachable"
        case .timeout: return "provider_timeout"
        case .malformedResponse: return "provider_malformed_response"
        case .truncatedStream: return "provider_truncated_stream"
        case .streamError: return "provider_stream_error"
        case .unsupportedRequest: return "provider_unsupported_request"
        case .streamRefused: return "provider_stream_refused"
        }
    }

    public var description: String {
        var text = "provider '\(provider)': "
        if let status { text += "HTTP \(status): " }
        text += message
        if let vendorCode, !message.contains(vendorCode) { text += " (\(vendorCode))" }
        if let bodySnippet, code == .malformedResponse { text += "; body: \(bodySnippet)" }
        return text
    }

    public static func == (lhs: ProviderError, rhs: ProviderError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The first `limit` Unicode scalars of a body, on one line (each line's edge spaces trimmed, lines joined by
    /// one space); a cut never splits a `[redacted]` marker.
    static func snippet(_ body: String, limit: Int = bodyLimit) -> String {
        // A 32 MiB body is read only as far as it takes to place the cut and keep a marker it falls in whole,
        // and by scalars: iterating characters costs a grapheme break per step.
        let marker = SecretRedaction.marker
        let needed = limit + marker.count + 1
        var flat: [UInt8] = []
        flat.reserveCapacity(needed * 4)
        var count = 0
        var lines = 0
        var inLine = false
        var leading = true
        var spaces = 0
        var scanned = 0
        for scalar in body.unicodeScalars {
            scanned += 1
            guard scanned <= 64 * 1024, count < needed else { break }
            switch scalar {
            case "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}":
                inLine = false
                continue
            default: break
            }
            if !inLine {
                if lines > 0 {
                    flat.append(0x20)
                    count += 1
                }
                lines += 1
                inLine = true
                leading = true
                spaces = 0
            }
            if scalar == " " {
                if !leading { spaces += 1 }
                continue
            }
            leading = false
            flat.append(contentsOf: repeatElement(0x20, count: spaces))
            count += spaces + 1
            spaces = 0
            flat.append(contentsOf: scalar.utf8)
        }
        let text = String(decoding: flat, as: UTF8.self)
        guard count > limit else { return text }
        let scalars = text.unicodeScalars
        var end = scalars.index(scalars.startIndex, offsetBy: limit)
        // Only a marker starting in the marker's length before the cut can straddle it; the first one found
        // from there ends after the cut.
        let window =
            scalars.index(end, offsetBy: -(marker.count - 1), limitedBy: scalars.startIndex) ?? scalars.startIndex
        if let found = text[window...].prefix(2 * marker.count).firstRange(of: marker), found.lowerBound < end {
            end = found.upperBound
        }
        return String(text[..<end]) + "…"
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    public var trimmingSpaces: Substring {
        var result = self
        while result.first == " " { result.removeFirst() }
        while result.last == " " { result.removeLast() }
        return result
    }
}

extension String {
    /// This string with every occurrence of `target` replaced (no Foundation needed).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
