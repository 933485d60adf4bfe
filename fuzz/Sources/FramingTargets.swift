import TrellisProviders

/// The stream framers: the SSE parser (OpenAI, Anthropic) and the NDJSON line splitter (Ollama, Yandex).
enum FramingTargets {
    /// `sse`: any chunking gives the same events, and the events written back as a stream parse to themselves.
    static let sse = FuzzTarget(
        name: "sse",
        summary: "SSEParser: whole, piecewise and split feeding agree; re-serialised events parse to themselves"
    ) { bytes throws(InvariantFailure) in
        let events = try Chunking.agreed(bytes, "SSE events", WireFraming.sseEvents)
        guard let events else { return }
        for event in events {
            try require(
                !(event.name ?? "").contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }),
                "an event name holds a line end: \(event)")
            try require(
                !event.data.unicodeScalars.contains("\r"), "an event's data holds a carriage return: \(event)")
        }
        let written = Array(serialize(events).utf8)
        let reparsed = WireFraming.sseEvents([written])
        try require(
            reparsed == events, "re-serialised SSE events parse to \(String(describing: reparsed)), not \(events)")
    }

    /// `ndjson`: any chunking gives the same lines, no line holds a newline or is blank, and the lines joined
    /// with `\r\n` split to themselves.
    static let ndjson = FuzzTarget(
        name: "ndjson",
        summary: "LineSplitter: chunkings agree; lines hold no newline, none is blank; lines re-joined split alike"
    ) { bytes throws(InvariantFailure) in
        let lines = try Chunking.agreed(bytes, "lines", WireFraming.lines)
        guard let lines else { return }
        for line in lines {
            try require(!line.unicodeScalars.contains("\n"), "a line holds a newline: \(line.debugDescription)")
            try require(!line.allSatisfy(\.isWhitespace), "a blank line was handed out: \(line.debugDescription)")
        }
        let rejoined = WireFraming.lines([Array(lines.map { $0 + "\r\n" }.joined().utf8)])
        try require(rejoined == lines, "re-joined lines split to \(String(describing: rejoined)), not \(lines)")
    }

    /// The events as a `text/event-stream` body: `event:` when named, one `data:` per data line, a blank line.
    static func serialize(_ events: [WireFraming.Event]) -> String {
        var text = ""
        for event in events {
            if let name = event.name { text += "event: \(name)\n" }
            for line in event.data.split(separator: "\n", omittingEmptySubsequences: false) {
                text += "data: \(line)\n"
            }
            text += "\n"
        }
        return text
    }
}
