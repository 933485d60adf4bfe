import Testing

@testable import TrellisProviders

/// The byte-level Server-Sent Events parser.
@Suite struct SSEParserTests {
    func parse(_ pieces: [String]) throws -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for piece in pieces { events += try parser.feed(Array(piece.utf8)) }
        return events + parser.finish()
    }

    func parseBytes(_ pieces: [[UInt8]]) throws -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for piece in pieces { events += try parser.feed(piece) }
        return events + parser.finish()
    }

    @Test func eventsEndAtBlankLines() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: {\"a\":1}\n".utf8)).isEmpty)
        #expect(try parser.feed(Array("\n".utf8)) == [SSEEvent(name: nil, data: #"{"a":1}"#)])
        #expect(try parser.feed(Array("data: [DONE]\n\n".utf8)) == [SSEEvent(name: nil, data: "[DONE]")])
        #expect(parser.finish().isEmpty)
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEnding(newline: String) throws {
        let text = "data: one\(newline)\(newline)data: two\(newline)\(newline)"
        #expect(try parse([text]).map(\.data) == ["one", "two"])
    }

    @Test func crlfSplitAcrossFeedsIsOneLineEnd() throws {
        // A \r at the end of one chunk and \n at the start of the next must not make a blank line.
        let events = try parse(["data: a\r", "\ndata: b\r", "\n\r", "\n"])
        #expect(events == [SSEEvent(name: nil, data: "a\nb")])
    }

    @Test func lineSplitAcrossFeeds() throws {
        let events = try parse(["da", "ta: {\"content\":", "\"Hi\"}", "\n", "\n"])
        #expect(events == [SSEEvent(name: nil, data: #"{"content":"Hi"}"#)])
    }

    @Test func byteByByteFeedingGivesTheSameEvents() throws {
        let text = ": keep-alive\r\nevent: billing_update\r\ndata: {\"x\":1}\r\n\r\ndata: [DONE]\r\n\r\n"
        let whole = try parse([text])
        let single = try parseBytes(Array(text.utf8).map { [$0] })
        #expect(whole == [SSEEvent(name: "billing_update", data: #"{"x":1}"#), SSEEvent(name: nil, data: "[DONE]")])
        #expect(single == whole)
    }

    @Test func multibyteCharacterSplitAcrossFeeds() throws {
        let bytes = Array("data: Привет 👋\n\n".utf8)
        // Split inside the two-byte "П" and inside the four-byte emoji.
        let events = try parseBytes([Array(bytes[..<7]), Array(bytes[7..<21]), Array(bytes[21...])])
        #expect(events.map(\.data) == ["Привет 👋"])
    }

    @Test func commentsAndKeepAlivesAreIgnored() throws {
        let events = try parse([": keep-alive\n\n", ":\n", "data: x\n", ": ping in the middle\n", "\n"])
        #expect(events == [SSEEvent(name: nil, data: "x")])
    }

    @Test func multiLineDataIsJoinedWithNewlines() throws {
        #expect(try parse(["data: {\"a\":\ndata: 1}\n\n"]).map(\.data) == ["{\"a\":\n1}"])
    }

    @Test func onlyOneLeadingSpaceIsStripped() throws {
        #expect(try parse(["data:x\n\ndata:  y\n\n"]).map(\.data) == ["x", " y"])
    }

    @Test func eventNameAppliesToOneEventOnly() throws {
        let events = try parse(["event: billing_update\ndata: {}\n\ndata: {\"b\":2}\n\n"])
        #expect(events == [SSEEvent(name: "billing_update", data: "{}"), SSEEvent(name: nil, data: #"{"b":2}"#)])
    }

    @Test func eventWithoutDataIsNotDispatchedAndItsNameDoesNotLeak() throws {
        let events = try parse(["event: ping\n\n", "data: after\n\n"])
        #expect(events == [SSEEvent(name: nil, data: "after")])
    }

    @Test func idRetryAndUnknownFieldsAreIgnored() throws {
        let events = try parse(["id: 7\nretry: 3000\nfoo: bar\ndata: x\n\n"])
        #expect(events == [SSEEvent(name: nil, data: "x")])
    }

    @Test func finishFlushesAnEventWithoutTrailingBlankLine() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: {\"a\":1}\n\ndata: last".utf8)).map(\.data) == [#"{"a":1}"#])
        #expect(parser.finish() == [SSEEvent(name: nil, data: "last")])
    }

    @Test func finishOnEmptyInputIsEmpty() throws {
        var parser = SSEParser()
        #expect(parser.finish().isEmpty)
        #expect(try parse([": only a comment\n"]).isEmpty)
    }

    @Test("an event longer than the cap is refused, however it is split into lines and chunks")
    func eventOverTheCapIsRefused() throws {
        var parser = SSEParser(maxEventBytes: 64)
        #expect(try parser.feed(Array("data: \(String(repeating: "a", count: 50))\n\n".utf8)).count == 1)
        #expect(throws: StreamLineTooLong.self) {
            for _ in 0..<10 { _ = try parser.feed(Array("data: \(String(repeating: "b", count: 20))\n".utf8)) }
        }
        var endless = SSEParser(maxEventBytes: 64)
        let error = #expect(throws: StreamLineTooLong.self) {
            for _ in 0..<10 { _ = try endless.feed(Array(String(repeating: "c", count: 20).utf8)) }
        }
        #expect(error?.limit == 64)
    }

    @Test("a newline-delimited line longer than the cap is refused; shorter ones pass")
    func lineOverTheCapIsRefused() throws {
        var splitter = LineSplitter(maxLineBytes: 16)
        #expect(try splitter.feed(Array("0123456789abcdef\nshort\n".utf8)) == ["0123456789abcdef", "short"])
        #expect(throws: StreamLineTooLong.self) { _ = try splitter.feed(Array("0123456789abcdefg".utf8)) }
    }
}
