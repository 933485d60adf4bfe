import NIOCore
import TrellisCore

/// Anthropic's typed SSE stream: `message_start`, then per content block `content_block_start`, deltas
/// (`text_delta`, `input_json_delta`, `thinking_delta`) and `content_block_stop`, then `message_delta` with the
/// stop reason and `message_stop`, the terminal event. `ping` and unknown events are skipped; an `error` event
/// fails the stream.
///
/// Tool calls are numbered in the order their blocks start; a call's `partial_json` pieces accumulate by block
/// index, and a call that received none has the arguments `{}`.
struct AnthropicStreamDecoder: StreamDecoder {
    private struct ToolSlot {
        var block: Int
        var id: String
        var name: String
        var arguments: String
    }

    let provider: String
    private var parser = SSEParser()
    private var text = ""
    private var reasoning = ""
    private var tools: [ToolSlot] = []
    private var rawFinish: String?
    private var usage: Usage?
    private var model: String?
    private var quirks: [String] = []
    private(set) var isDone = false

    init(provider: String) {
        self.provider = provider
    }

    mutating func limitLines(to bytes: Int) { parser.maxEventBytes = bytes }

    mutating func feed(_ bytes: ByteBufferView) throws -> [ModelEvent] {
        try consume(parser.feed(bytes))
    }

    mutating func finish() throws -> [ModelEvent] {
        let events = try consume(parser.finish())
        guard isDone else {
            throw ProviderError.truncatedStream(provider: provider, message: "the stream ended without message_stop")
        }
        return events
    }

    func response() -> ModelResponse {
        let calls = tools.map {
            ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments.isEmpty ? "{}" : $0.arguments)
        }
        return ModelResponse(
            message: .assistant(text, toolCalls: calls, reasoning: reasoning.isEmpty ? nil : reasoning),
            finishReason: FinishReason.normalized(raw: rawFinish, hasToolCalls: !calls.isEmpty, hasText: !text.isEmpty),
            rawFinishReason: rawFinish, usage: usage, model: model, quirks: quirks)
    }

    private mutating func consume(_ events: [SSEEvent]) throws -> [ModelEvent] {
        var result: [ModelEvent] = []
        for event in events where !isDone { result += try handle(event) }
        return result
    }

    private mutating func handle(_ event: SSEEvent) throws -> [ModelEvent] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(event.data)
        } catch {
            throw ProviderError.malformedResponse(
                provider: provider, message: "a stream event is not JSON (\(error))", status: 200, body: event.data)
        }
        switch json["type"]?.stringValue ?? event.name {
        case "message_start":
            model = json["message"]?["model"]?.stringValue
            usage = json["message"]?["usage"].flatMap { AnthropicResponseDecoder.usage($0) }
        case "content_block_start":
            return try start(json, data: event.data)
        case "content_block_delta":
            return delta(json)
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue { rawFinish = reason }
            if let value = json["usage"] { usage = AnthropicResponseDecoder.usage(value, previous: usage) }
        case "message_stop":
            isDone = true
        case "error":
            let decoded = OpenAIResponseDecoder.errorMessage(from: event.data)
            throw ProviderError.streamError(provider: provider, message: decoded.message, vendorCode: decoded.code)
        default:
            // ping, content_block_stop, and event types added later.
            break
        }
        return []
    }

    private mutating func start(_ json: JSONValue, data: String) throws -> [ModelEvent] {
        guard let block = json["content_block"], let index = json["index"]?.intValue else { return [] }
        switch block["type"]?.stringValue {
        case "text":
            return appendText(block["text"]?.stringValue ?? "")
        case "thinking":
            return appendReasoning(block["thinking"]?.stringValue ?? "")
        case "tool_use":
            // A call without a name still gets a result (an error the model can correct), not a failed turn.
            let name = block["name"]?.stringValue ?? ""
            // The API starts every call with `input: {}` and sends the arguments as deltas; a whole input in the
            // start event is kept.
            var arguments = ""
            if let input = block["input"]?.objectValue, !input.isEmpty {
                arguments = JSONValue.object(input).serialized()
            }
            if (block["id"]?.stringValue ?? "").isEmpty, quirks.isEmpty {
                quirks.append(AnthropicResponseDecoder.missingIDs)
            }
            let slot = ToolSlot(
                block: index, id: OpenAIResponseDecoder.callID(block["id"]), name: name, arguments: arguments)
            tools.append(slot)
            return [.toolCallDelta(index: tools.count - 1, id: slot.id, name: name, arguments: arguments)]
        default:
            return []
        }
    }

    private mutating func delta(_ json: JSONValue) -> [ModelEvent] {
        guard let delta = json["delta"] else { return [] }
        switch delta["type"]?.stringValue {
        case "text_delta":
            return appendText(delta["text"]?.stringValue ?? "")
        case "thinking_delta":
            return appendReasoning(delta["thinking"]?.stringValue ?? "")
        case "input_json_delta":
            let piece = delta["partial_json"]?.stringValue ?? ""
            guard !piece.isEmpty, let index = json["index"]?.intValue,
                let slot = tools.lastIndex(where: { $0.block == index })
            else { return [] }
            tools[slot].arguments += piece
            return [.toolCallDelta(index: slot, id: nil, name: nil, arguments: piece)]
        default:
            // signature_delta, citations_delta: nothing the transcript keeps.
            return []
        }
    }

    private mutating func appendText(_ piece: String) -> [ModelEvent] {
        guard !piece.isEmpty else { return [] }
        text += piece
        return [.textDelta(piece)]
    }

    private mutating func appendReasoning(_ piece: String) -> [ModelEvent] {
        guard !piece.isEmpty else { return [] }
        reasoning += piece
        return [.reasoningDelta(piece)]
    }
}
