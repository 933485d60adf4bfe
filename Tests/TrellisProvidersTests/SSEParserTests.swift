import Testing

@testable import TrellisProviders

/// The byte-level Server-Sent Events parser.
@Suite struct SSEParserTests {
    func parse(_ pieces: [String]) -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for piece in pieces { events += parser.feed(Array(piece.utf8)) }
        return events + parser.finish()
    }

    func parseBytes(_ pieces: [[UInt8]]) -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for piece in pieces { events += parser.feed(piece) }
        return events + parser.finish()
    }

    @Test func eventsEndAtBlankLines() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: {\"a\":1}\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)) == [SSEEvent(name: nil, data: #"{"a":1}"#)])
        #expect(parser.feed(Array("data: [DONE]\n\n".utf8)) == [SSEEvent(name: nil, data: "[DONE]")])
        #expect(parser.finish().isEmpty)
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEnding(newline: String) {
        let text = "data: one\(newline)\(newline)data: two\(newline)\(newline)"
        #expect(parse([text]).map(\.data) == ["one", "two"])
    }

    @Test func crlfSplitAcrossFeedsIsOneLineEnd() {
        // A \r at the end of one chunk and \n at the start of the next must not make a blank line.
        let events = parse(["data: a\r", "\ndata: b\r", "\n\r", "\n"])
        #expect(events == [SSEEvent(name: nil, data: "a\nb")])
    }

    @Test func lineSplitAcrossFeeds() {
        let events = parse(["da", "ta: {\"content\":", "\"Hi\"}", "\n", "\n"])
        #expect(events == [SSEEvent(name: nil, data: #"{"content":"Hi"}"#)])
    }

    @Test func byteByByteFeedingGivesTheSameEvents() {
        let text = ": keep-alive\r\nevent: billing_update\r\ndata: {\"x\":1}\r\n\r\ndata: [DONE]\r\n\r\n"
        let whole = parse([text])
        let single = parseBytes(Array(text.utf8).map { [$0] })
        #expect(whole == [SSEEvent(name: "billing_update", data: #"{"x":1}"#), SSEEvent(name: nil, data: "[DONE]")])
        #expect(single == whole)
    }

    @Test func multibyteCharacterSplitAcrossFeeds() {
        let bytes = Array("data: Привет 👋\n\n".utf8)
        // Split inside the two-byte "П" and inside the four-byte emoji.
        let events = parseBytes([Array(bytes[..<7]), Array(bytes[7..<21]), Array(bytes[21...])])
        #expect(events.map(\.data) == ["Привет 👋"])
    }

    @Test func commentsAndKeepAlivesAreIgnored() {
        let events = parse([": keep-alive\n\n", ":\n", "data: x\n", ": ping in the middle\n", "\n"])
        #expect(events == [SSEEvent(name: nil, data: "x")])
    }

    @Test func multiLineDataIsJoinedWithNewlines() {
        #expect(parse(["data: {\"a\":\ndata: 1}\n\n"]).map(\.data) == ["{\"a\":\n1}"])
    }

    @Test func onlyOneLeadingSpaceIsStripped() {
        #expect(parse(["data:x\n\ndata:  y\n\n"]).map(\.data) == ["x", " y"])
    }

    @Test func eventNameAppliesToOneEventOnly() {
        let events = parse(["event: billing_update\ndata: {}\n\ndata: {\"b\":2}\n\n"])
        #expect(events == [SSEEvent(name: "billing_update", data: "{}"), SSEEvent(name: nil, data: #"{"b":2}"#)])
    }

    @Test func eventWithoutDataIsNotDispatchedAndItsNameDoesNotLeak() {
        let events = parse(["event: ping\n\n", "data: after\n\n"])
        #expect(events == [SSEEvent(name: nil, data: "after")])
    }

    @Test func idRetryAndUnknownFieldsAreIgnored() {
        let events = parse(["id: 7\nretry: 3000\nfoo: bar\ndata: x\n\n"])
        #expect(events == [SSEEvent(name: nil, data: "x")])
    }

    @Test func finishFlushesAnEventWithoutTrailingBlankLine() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: {\"a\":1}\n\ndata: last".utf8)).map(\.data) == [#"{"a":1}"#])
        #expect(parser.finish() == [SSEEvent(name: nil, data: "last")])
    }

    @Test func finishOnEmptyInputIsEmpty() {
        var parser = SSEParser()
        #expect(parser.finish().isEmpty)
        #expect(parse([": only a comment\n"]).isEmpty)
    }
}
