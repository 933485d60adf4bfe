import Foundation
import TrellisCore

/// Encodes one conversation's successive ``RunState``s to JSON, each part once.
///
/// A step appends a message or a tool call or two, so re-encoding the whole state at every save would make a long
/// conversation's saves grow with its length, and a checkpoint is taken several times a turn. This writes the
/// state's own fields and the transcript's messages directly (``ChatMessage/writeStored(to:)``), leaves the other
/// parts (a tool call record, a pending call, the usage, the route, the error, the totals) to their `Codable`
/// conformance, and keeps each message's and part's JSON from the save before, encoding only what is new or
/// changed. The text says what the synthesized `Encodable` form says: the same keys in the same order, `nil` fields
/// left out.
package struct RunStateJSON: Sendable {
    private var transcript = EncodedElements<ChatMessage>()
    private var toolCalls = EncodedElements<ToolCallRecord>()
    private var batch = EncodedElements<PendingCall>()
    private var usage = EncodedValue<Usage>()
    private var route = EncodedValue<RouteDecision>()
    private var error = EncodedValue<RunError>()
    private var totals = EncodedValue<RunState.Totals>()

    /// An encoder that has encoded nothing yet.
    package init() {}

    /// The encoder of the parts not written directly: the one the stored form has always been written with.
    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The state's JSON.
    ///
    /// - Throws: `EncodingError` for a value JSON cannot hold (a cost that is not finite), as `JSONEncoder` does.
    package mutating func encode(_ state: RunState) throws -> String {
        var text = "{"
        text.reserveCapacity(256 + transcript.bytes + toolCalls.bytes)
        text += #""version":"#
        text += String(state.version)
        Self.member("run_id", string: state.runID, to: &text)
        Self.member("entry_agent", string: state.entryAgent, to: &text)
        Self.member("agent", string: state.agent, to: &text)
        Self.member("status", string: state.status.rawValue, to: &text)
        text += #","transcript":"#
        transcript.write(state.transcript, to: &text) { message in
            var json = ""
            message.writeStored(to: &json)
            return json
        }
        if let pending = state.batch {
            text += #","batch":"#
            try batch.write(pending, to: &text, encode: { try Self.encoded($0) })
        }
        text += #","turns":"#
        text += String(state.turns)
        if let value = state.usage {
            text += #","usage":"#
            text += try usage.json(of: value)
        }
        text += #","tool_calls":"#
        try toolCalls.write(state.toolCalls, to: &text, encode: { try Self.encoded($0) })
        text += #","repeats":{"#
        if let signature = state.repeats.signature {
            text += #""signature":"#
            JSONValue.writeString(signature, to: &text)
            text += ","
        }
        text += #""count":"#
        text += String(state.repeats.count)
        if let tripped = state.repeats.tripped { Self.member("tripped", string: tripped, to: &text) }
        text += "}"
        if let model = state.model { Self.member("model", string: model, to: &text) }
        Self.member("output", string: state.output, to: &text)
        guard state.lastCost.isFinite else {
            throw EncodingError.invalidValue(
                state.lastCost,
                EncodingError.Context(codingPath: [], debugDescription: "last_cost \(state.lastCost) is not a number"))
        }
        text += #","last_cost":"#
        text += JSONValue.number(state.lastCost).serialized()
        if let value = state.route {
            text += #","route":"#
            text += try route.json(of: value)
        }
        if let reason = state.finishReason { Self.member("finish_reason", string: reason.rawValue, to: &text) }
        if let value = state.error {
            text += #","error":"#
            text += try error.json(of: value)
        }
        text += #","totals":"#
        text += try totals.json(of: state.totals)
        text += "}"
        return text
    }

    /// A part's JSON as `JSONEncoder` writes it.
    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `,"key":"value"`.
    private static func member(_ key: String, string value: String, to text: inout String) {
        text += ",\""
        text += key
        text += "\":"
        JSONValue.writeString(value, to: &text)
    }

    /// Reads a stored state.
    ///
    /// The transcript's messages are read from the parsed text directly (``ChatMessage/init(stored:at:)``), the
    /// rest of the state by its `Decodable` conformance, which checks the version first.
    ///
    /// - Throws: ``RunStateVersionError`` for a state another version wrote, `JSONParseError` for text that is not
    ///   JSON, `StoredFormError` or a decoding error for JSON that is not a state.
    package static func decode(_ text: String) throws -> RunState {
        guard case .object(var object) = try JSONValue.parse(text), case .array(let messages)? = object["transcript"]
        else {
            return try JSONDecoder().decode(RunState.self, from: Data(text.utf8))
        }
        object["transcript"] = .array([])
        var state = try JSONDecoder().decode(RunState.self, from: Data(JSONValue.object(object).serialized().utf8))
        state.transcript.reserveCapacity(messages.count)
        for (index, message) in messages.enumerated() {
            state.transcript.append(try ChatMessage(stored: message, at: "transcript[\(index)]"))
        }
        return state
    }
}

/// The JSON of an array's elements from the save before: the elements still equal to the ones then keep theirs.
private struct EncodedElements<Element: Equatable & Sendable>: Sendable {
    private var elements: [Element] = []
    private var json: [String] = []
    /// The length of the array's last JSON, to reserve room for the next.
    private(set) var bytes = 0

    /// Writes `array` as a JSON array, encoding only the elements after the ones it shares with the last array.
    mutating func write<Failure: Error>(
        _ array: [Element], to text: inout String, encode: (Element) throws(Failure) -> String
    ) throws(Failure) {
        var kept = 0
        let limit = min(elements.count, array.count)
        while kept < limit, elements[kept] == array[kept] { kept += 1 }
        if kept < elements.count {
            elements.removeSubrange(kept...)
            json.removeSubrange(kept...)
        }
        for element in array[kept...] {
            elements.append(element)
            json.append(try encode(element))
        }
        let start = text.utf8.count
        text += "["
        for (index, element) in json.enumerated() {
            if index > 0 { text += "," }
            text += element
        }
        text += "]"
        bytes = text.utf8.count - start
    }
}

/// The JSON of the last value encoded, kept while the value stays the same.
private struct EncodedValue<Value: Encodable & Equatable & Sendable>: Sendable {
    private var last: (value: Value, json: String)?

    mutating func json(of value: Value) throws -> String {
        if let last, last.value == value { return last.json }
        let json = try RunStateJSON.encoded(value)
        last = (value, json)
        return json
    }
}
