/// What a ``FaultServer`` does with one connection after reading its request: a script of raw steps, so a test can
/// produce exactly the broken reply a hostile or failing server sends (a reset mid-body, a stream that never ends,
/// a connection held open after the last event).
public struct Fault: Sendable, CustomStringConvertible {
    /// One thing the server does, in order.
    public enum Step: Sendable {
        /// The status line and headers. With `chunked`, the body goes out in HTTP/1.1 chunks; otherwise the caller
        /// gives `Content-Length` (or none: the body ends when the connection closes).
        case head(status: Int, headers: [(String, String)], chunked: Bool)
        /// Bytes of the body (one HTTP chunk when the head said `chunked`).
        case body([UInt8])
        /// The same bytes, `count` times (a huge body without holding it in memory).
        case repeated([UInt8], count: Int)
        /// The same bytes until the client goes away.
        case endless([UInt8])
        /// A pause.
        case pause(Duration)
        /// Nothing more, with the connection held open until the server stops.
        case hold
        /// The terminating zero-length chunk of a chunked body.
        case endChunks
        /// A TCP reset (`SO_LINGER` 0, then close) instead of an orderly close.
        case reset
    }

    /// A label for test output.
    public var name: String
    /// The steps; after the last one the connection is closed.
    public var steps: [Step]

    /// A fault named `name` doing `steps`.
    public init(_ name: String, _ steps: [Step]) {
        self.name = name
        self.steps = steps
    }

    /// The label.
    public var description: String { name }
}

extension Fault {
    /// A complete reply with `Content-Length`.
    public static func reply(
        _ body: String, status: Int = 200, contentType: String = "application/json", headers: [(String, String)] = []
    ) -> Fault {
        reply(bytes: Array(body.utf8), status: status, contentType: contentType, headers: headers)
    }

    /// A complete reply of raw bytes (invalid UTF-8, say) with `Content-Length`.
    public static func reply(
        bytes: [UInt8], status: Int = 200, contentType: String = "application/json", headers: [(String, String)] = []
    ) -> Fault {
        Fault(
            "\(status) \(contentType) reply of \(bytes.count) bytes",
            [
                .head(
                    status: status,
                    headers: [("Content-Type", contentType), ("Content-Length", "\(bytes.count)")] + headers,
                    chunked: false),
                .body(bytes),
            ])
    }

    /// An event stream of `events`, each written as one chunk, ended properly unless `then` says otherwise.
    public static func stream(_ events: [String], then ending: [Step] = [.endChunks]) -> Fault {
        Fault(
            "stream of \(events.count) events",
            [.head(status: 200, headers: [("Content-Type", "text/event-stream")], chunked: true)]
                + events.map { .body(Array($0.utf8)) } + ending)
    }

    /// No status line at all: the connection is accepted and the request read, then nothing.
    public static let hangBeforeHeaders = Fault("hang before headers", [.hold])

    /// Headers that promise a body of `length` bytes, then nothing.
    public static func stallAfterHeaders(length: Int = 1000) -> Fault {
        Fault(
            "stall after headers",
            [
                .head(
                    status: 200, headers: [("Content-Type", "application/json"), ("Content-Length", "\(length)")],
                    chunked: false),
                .hold,
            ])
    }

    /// `prefix` of a body that promised to be longer, then a TCP reset.
    public static func resetMidBody(_ prefix: String) -> Fault {
        Fault(
            "reset mid-body",
            [
                .head(
                    status: 200,
                    headers: [("Content-Type", "application/json"), ("Content-Length", "\(prefix.utf8.count + 500)")],
                    chunked: false),
                .body(Array(prefix.utf8)), .reset,
            ])
    }
}

extension Fault {
    /// Headers promising `megabytes` MiB of JSON, then that many spaces: a runaway body.
    public static func hugeBody(megabytes: Int) -> Fault {
        let block = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 16)
        return Fault(
            "\(megabytes) MiB body",
            [
                .head(
                    status: 200,
                    headers: [("Content-Type", "application/json"), ("Content-Length", "\(megabytes << 20)")],
                    chunked: false),
                .repeated(block, count: megabytes * 16),
            ])
    }
}
