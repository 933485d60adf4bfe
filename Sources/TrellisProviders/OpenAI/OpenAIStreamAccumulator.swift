import TrellisCore

/// Assembles a streamed OpenAI reply from its chunks.
///
/// Tool-call fragments accumulate by `index`; a fragment with a new id at an index already in use opens a new
/// call (servers that send every parallel call at index 0). Explicit `null`s, arguments as objects, a legacy
/// `function_call` beside `tool_calls`, `reasoning_content`, `choices: []` usage chunks and named events are all
/// taken in stride. A named event (`event: billing_update`) becomes ``ModelEvent/providerExtra(name:value:)``, with
/// its data as text when it is not JSON; with `billing`, Dewiar's billing block becomes
/// `providerExtra("billing", block)` and its `request_cost` the reply's ``Usage/cost``.
struct OpenAIStreamAccumulator {
    private struct Slot {
        var index: Int
        var id: String?
        var name = ""
        var arguments = ""
    }

    let provider: String
    let maxTokens: Int?
    let billing: Bool
    private var text = ""
    private var reasoning = ""
    private var slots: [Slot] = []
    private var legacy: Slot?
    private var rawFinish: String?
    private var usage: Usage?
    private var model: String?
    private var cost: Double?
    private var quirks: [String] = []
    private(set) var isDone = false

    init(provider: String, maxTokens: Int?, billing: Bool = false) {
        self.provider = provider
        self.maxTokens = maxTokens
        self.billing = billing
    }

    /// Takes one SSE event and returns the events to emit.
    mutating func consume(_ event: SSEEvent) throws -> [ModelEvent] {
        if event.data == "[DONE]" {
            isDone = true
            return []
        }
        let name = event.name.flatMap { $0 == "message" ? nil : $0 }
        let json: JSONValue
        do {
            json = try JSONValue.parse(event.data)
        } catch {
            // A vendor's own named event may carry anything; only the chunks must be JSON.
            if let name { return [.providerExtra(name: name, value: .string(event.data))] }
            throw ProviderError.malformedResponse(
                provider: provider, message: "a stream event is not JSON (\(error))", status: 200, body: event.data)
        }
        if let error = json["error"], !error.isNull {
            let decoded = OpenAIResponseDecoder.errorMessage(from: event.data)
            throw ProviderError.streamError(provider: provider, message: decoded.message, vendorCode: decoded.code)
        }
        var events: [ModelEvent] = []
        if billing, let block = json["billing"], block.objectValue != nil {
            if let cost = OpenAIResponseDecoder.cost(block) { self.cost = cost }
            events.append(.providerExtra(name: "billing", value: block))
            if name != nil { return events }
        } else if let name {
            return [.providerExtra(name: name, value: json)]
        }
        if let value = json["model"]?.stringValue { model = value }
        if let value = json["usage"], let usage = OpenAIResponseDecoder.usage(value) { self.usage = usage }
        guard let choice = json["choices"]?.arrayValue?.first else { return events }
        if let reason = choice["finish_reason"]?.stringValue { rawFinish = reason }
        guard let delta = choice["delta"] ?? choice["message"] else { return events }
        if let content = delta["content"]?.stringValue, !content.isEmpty {
            text += content
            events.append(.textDelta(content))
        }
        if delta["reasoning_content"]?.stringValue?.isEmpty == false { note(OpenAIQuirk.reasoningContent) }
        if let thought = delta["reasoning_content"]?.stringValue ?? delta["reasoning"]?.stringValue, !thought.isEmpty {
            reasoning += thought
            events.append(.reasoningDelta(thought))
        }
        if delta["tool_calls"]?.arrayValue?.isEmpty == true { note(OpenAIQuirk.emptyToolCalls) }
        for fragment in delta["tool_calls"]?.arrayValue ?? [] {
            events.append(absorb(fragment))
        }
        if let function = delta["function_call"], function.objectValue != nil {
            var slot = legacy ?? Slot(index: 0)
            if let name = function["name"]?.stringValue { slot.name += name }
            if let arguments = function["arguments"] { slot.arguments += Self.fragmentText(arguments) }
            legacy = slot
        }
        return events
    }

    private mutating func absorb(_ fragment: JSONValue) -> ModelEvent {
        let id = fragment["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let function = fragment["function"]
        let name = function?["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let piece = function?["arguments"].map(Self.fragmentText) ?? ""
        if function?["arguments"]?.objectValue != nil { note(OpenAIQuirk.argumentsAsObject) }
        let index = fragment["index"]?.intValue ?? (id == nil ? (slots.last?.index ?? 0) : slots.count)
        var position = slots.lastIndex { $0.index == index }
        if let existing = position, let id, let known = slots[existing].id, known != id {
            position = nil
        }
        if position == nil {
            slots.append(Slot(index: index, id: id))
            position = slots.count - 1
        }
        let slot = position!
        if slots[slot].id == nil { slots[slot].id = id }
        if let name { slots[slot].name += name }
        slots[slot].arguments += piece
        return .toolCallDelta(index: slot, id: id, name: name, arguments: piece)
    }

    /// Records a quirk once.
    private mutating func note(_ quirk: String) {
        if !quirks.contains(quirk) { quirks.append(quirk) }
    }

    private static func fragmentText(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return ""
        default: return value.serialized()
        }
    }

    /// The assembled reply; call after `[DONE]`.
    func response() -> ModelResponse {
        var quirks = quirks
        // A slot with an id or arguments but no name is still a call, as in a complete reply: it gets an error
        // result the model can correct. A slot with nothing at all is no call.
        let called = slots.filter { !$0.name.isEmpty || $0.id != nil || !$0.arguments.isEmpty }
        if called.contains(where: { $0.id == nil }) { quirks.append(OpenAIQuirk.synthesizedIDs) }
        var calls = called.map {
            ToolCall(
                id: $0.id ?? ToolCall.synthesizedID(), name: $0.name,
                arguments: $0.arguments.isEmpty ? "{}" : $0.arguments)
        }
        if calls.isEmpty, let legacy, !legacy.name.isEmpty {
            calls.append(
                ToolCall(
                    id: ToolCall.synthesizedID(), name: legacy.name,
                    arguments: legacy.arguments.isEmpty ? "{}" : legacy.arguments))
        }
        let reason = OpenAIResponseDecoder.finishReason(
            raw: rawFinish, calls: calls, text: text, usage: usage, maxTokens: maxTokens)
        if !calls.isEmpty { quirks.removeAll { $0 == OpenAIQuirk.emptyToolCalls } }
        if usage == nil { quirks.append(OpenAIQuirk.noUsage) }
        quirks += OpenAIQuirk.finish(raw: rawFinish, reason: reason, hasToolCalls: !calls.isEmpty)
        return ModelResponse(
            message: .assistant(text, toolCalls: calls, reasoning: reasoning.isEmpty ? nil : reasoning),
            finishReason: reason, rawFinishReason: rawFinish,
            usage: cost.map { OpenAIResponseDecoder.withCost(usage, $0) } ?? usage, model: model,
            quirks: OpenAIResponseDecoder.unique(quirks))
    }
}
