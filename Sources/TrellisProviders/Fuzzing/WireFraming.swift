/// The stream framers behind one narrow door, for the fuzz targets (`fuzz/`) and their regression tests: the
/// Server-Sent Events parser and the NDJSON line splitter, fed a body in chunks.
package enum WireFraming {
    /// One Server-Sent Event: its `event:` name (`nil` for the default) and its joined `data:` lines.
    package struct Event: Sendable, Hashable {
        /// The `event:` name, or `nil`.
        package var name: String?
        /// The `data:` lines, joined with newlines.
        package var data: String

        /// Creates an event.
        package init(name: String?, data: String) {
            self.name = name
            self.data = data
        }
    }

    /// The events of a `text/event-stream` body that arrives in `chunks`, the end of the stream included, or `nil`
    /// when a line passes the parser's cap (the stream is refused).
    package static func sseEvents(_ chunks: [[UInt8]]) -> [Event]? {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for chunk in chunks {
            guard let more = try? parser.feed(chunk) else { return nil }
            events += more
        }
        events += parser.finish()
        return events.map { Event(name: $0.name, data: $0.data) }
    }

    /// The lines of a newline-delimited body that arrives in `chunks`, the last unterminated line included, or `nil`
    /// when a line passes the splitter's cap (the stream is refused).
    package static func lines(_ chunks: [[UInt8]]) -> [String]? {
        var splitter = LineSplitter()
        var lines: [String] = []
        for chunk in chunks {
            guard let more = try? splitter.feed(chunk) else { return nil }
            lines += more
        }
        return lines + splitter.finish()
    }
}
