import NIOCore
import TrellisCore

/// Yandex's streamed completion (PROVIDERS §6.6): newline-delimited `{"result":...}` objects, each holding all the
/// text so far; `PARTIAL` lines until one with a terminal status, which carries the tool calls whole.
///
/// Text is handed out as the new suffix of each line. A line that does not extend the text already sent (the model
/// rewrote it) is handed out whole and noted in ``ModelResponse/quirks``. An `{"error":...}` line ends the stream with
/// ``ProviderError/streamError(provider:message:vendorCode:)``; a body that ends before a terminal status is
/// ``ProviderError/truncatedStream(provider:message:)``.
struct YandexStreamDecoder: StreamDecoder {
    private var lines = LineSplitter()
    let provider: String
    private var sent = ""
    private var calls: [ToolCall] = []
    private var status: String?
    private var usage: Usage?
    private var model: String?
    private var quirks = ["cumulative stream text"]
    private(set) var isDone = false

    /// Creates a decoder for one reply of `provider`.
    init(provider: String) {
        self.provider = provider
    }

    mutating func limitLines(to bytes: Int) { lines.maxLineBytes = bytes }

    mutating func feed(_ bytes: ByteBufferView) throws -> [ModelEvent] {
        try consume(lines.feed(bytes))
    }

    mutating func finish() throws -> [ModelEvent] {
        let events = try consume(lines.finish())
        guard isDone else {
            throw ProviderError.truncatedStream(
                provider: provider,
                message: "the stream ended without a final status (last: \(status ?? "no status line"))")
        }
        return events
    }

    func response() -> ModelResponse {
        YandexResponseDecoder.assemble(
            .init(text: sent, calls: calls, status: status, quirks: []), usage: usage, model: model, quirks: quirks)
    }

    private mutating func consume(_ lines: [String]) throws -> [ModelEvent] {
        var events: [ModelEvent] = []
        for line in lines where !isDone { events += try consume(line) }
        return events
    }

    private mutating func consume(_ line: String) throws -> [ModelEvent] {
        let json = try ReplyBody.parseStreamLine(
            line, provider: provider, decodeError: YandexResponseDecoder.errorMessage)
        let result = YandexResponseDecoder.envelope(json)
        guard
            let alternative = try YandexResponseDecoder.alternative(
                of: result, provider: provider, status: 200, body: line)
        else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "a stream line has no result.alternatives[0].message", status: 200,
                body: line)
        }
        for quirk in alternative.quirks { note(quirk) }
        let (usage, stringCounters) = YandexResponseDecoder.usage(result["usage"])
        if let usage { self.usage = usage }
        if stringCounters { note("int64 as strings") }
        if let version = result["modelVersion"]?.stringValue { model = version }
        if !alternative.calls.isEmpty { calls = alternative.calls }
        status = alternative.status
        var events: [ModelEvent] = []
        if let delta = textDelta(alternative.text) { events.append(.textDelta(delta)) }
        if let status, status != YandexResponseDecoder.partial {
            isDone = true
            for (index, call) in calls.enumerated() {
                events.append(.toolCallDelta(index: index, id: call.id, name: call.name, arguments: call.arguments))
            }
        }
        return events
    }

    private mutating func note(_ quirk: String) {
        if !quirks.contains(quirk) { quirks.append(quirk) }
    }

    /// The part of `text` not handed out yet; all of it when it does not extend what was sent.
    private mutating func textDelta(_ text: String) -> String? {
        defer { sent = text }
        let old = sent.unicodeScalars
        let new = text.unicodeScalars
        if new.starts(with: old) {
            let suffix = String(String.UnicodeScalarView(new.dropFirst(old.count)))
            return suffix.isEmpty ? nil : suffix
        }
        note("stream text rewritten (sent again whole)")
        return text.isEmpty ? nil : text
    }
}
