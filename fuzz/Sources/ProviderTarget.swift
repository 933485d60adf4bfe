import TrellisCore
import TrellisProviders

/// One provider's decoders: the input is fed as a complete reply body, as an error body, and as a streamed body.
///
/// Invariants: every decoder returns a value or throws a ``ProviderError`` (never another error, never a trap);
/// a decoded reply's tool calls have an id and arguments (a call without a name is
/// passed on, for the loop to answer with an error); a stream gives the
/// same events and the same error fed whole, in small pieces and split at a fuzz-chosen point (a failed stream's
/// events may stop short of another chunking's), and a stream that did not fail ends with exactly one
/// ``ModelEvent/completed(_:)``.
enum ProviderTarget {
    /// The wires one target covers: OpenAI's target also runs Dewiar's billing dialect (SiliconFlow and vLLM use
    /// OpenAI's decoders unchanged).
    static let groups: [(name: String, wires: [WireDecoding.Wire])] = [
        ("openai", [.openAI, .dewiar]), ("anthropic", [.anthropic]), ("ollama", [.ollama]),
        ("yandex", [.yandex]), ("amvera", [.amvera]),
    ]

    static let all: [FuzzTarget] = groups.map { group in
        FuzzTarget(
            name: group.name,
            summary: "\(group.wires.map(\.rawValue).joined(separator: ", ")) response, error and stream decoders"
        ) { bytes throws(InvariantFailure) in
            for wire in group.wires { try check(wire, bytes) }
        }
    }

    static func check(_ wire: WireDecoding.Wire, _ bytes: [UInt8]) throws(InvariantFailure) {
        let body = String(decoding: bytes, as: UTF8.self)
        let maxTokens = bytes.count % 3 == 0 ? nil : bytes.count % 64
        // A second decode of the body, to check it is deterministic, cost a fifth of the target's time; the three
        // chunkings of the stream below still check the stream decoder against itself.
        _ = try decodeResponse(wire, body, maxTokens)
        _ = WireDecoding.errorMessage(wire, body: body)
        if wire == .yandex {
            try decodeSide { () throws in _ = try WireDecoding.yandexEmbedding(body: body) }
            try decodeSide { () throws in _ = try WireDecoding.yandexPredictions(body: body) }
        }
        let outcomes = try Chunking.all(bytes).map { (name, chunks) throws(InvariantFailure) in
            (name, try Outcome(wire, WireDecoding.stream(wire, chunks: chunks, maxTokens: maxTokens)))
        }
        let reference = outcomes[0].1
        let longest = outcomes.map(\.1.events).max { $0.count < $1.count } ?? []
        for (name, outcome) in outcomes {
            try require(
                outcome.error == reference.error, "\(wire) stream fed \(name) gives \(outcome), whole \(reference)")
            if outcome.error == nil {
                try require(
                    outcome.events == reference.events,
                    "\(wire) stream fed \(name) gives \(outcome), whole \(reference)")
            } else {
                // A chunk whose later line fails drops the events of its earlier lines (the stream fails anyway),
                // so the events of a failed stream differ by chunking, but only in how far they get.
                try require(
                    longest.starts(with: outcome.events),
                    "\(wire) failed stream fed \(name) gives \(outcome), not a prefix of \(longest)")
            }
        }
    }

    /// The decoded reply, normalised, or the error's description.
    static func decodeResponse(_ wire: WireDecoding.Wire, _ body: String, _ maxTokens: Int?)
        throws(InvariantFailure) -> String
    {
        do {
            let response = try WireDecoding.response(wire, body: body, maxTokens: maxTokens)
            try checkCalls(response, wire)
            return "\(normalized(response))"
        } catch let error as ProviderError {
            return "error: \(error)"
        } catch let error as InvariantFailure {
            throw error
        } catch {
            throw InvariantFailure("\(wire) response decoder threw \(type(of: error)), not a ProviderError: \(error)")
        }
    }

    static func decodeSide(_ body: () throws -> Void) throws(InvariantFailure) {
        do {
            try body()
        } catch is ProviderError {
        } catch {
            throw InvariantFailure("a Yandex side decoder threw \(type(of: error)), not a ProviderError: \(error)")
        }
    }

    static func checkCalls(_ response: ModelResponse, _ wire: WireDecoding.Wire) throws(InvariantFailure) {
        for call in response.message.toolCalls {
            try require(!call.id.isEmpty, "\(wire) gave a tool call without an id: \(call)")
            try require(!call.arguments.isEmpty, "\(wire) gave a tool call with empty arguments: \(call)")
        }
    }

    /// A stream's events and error, with synthesised call ids made comparable.
    struct Outcome: Equatable, CustomStringConvertible {
        var events: [ModelEvent]
        var error: ProviderError?

        init(_ wire: WireDecoding.Wire, _ outcome: WireDecoding.StreamOutcome) throws(InvariantFailure) {
            events = outcome.events.map(ProviderTarget.normalized)
            switch outcome.error {
            case nil: error = nil
            case let failure as ProviderError: error = failure
            case let other?:
                throw InvariantFailure("\(wire) stream threw \(type(of: other)), not a ProviderError: \(other)")
            }
            let completions = events.indices.filter {
                if case .completed = events[$0] { return true }
                return false
            }
            if error == nil {
                try require(
                    completions == [events.count - 1], "\(wire) stream did not end with one completed: \(events)")
            } else {
                try require(completions.isEmpty, "\(wire) stream failed after completing: \(events)")
            }
            if case .completed(let response)? = events.last { try ProviderTarget.checkCalls(response, wire) }
        }

        var description: String { "events \(events), error \(error.map { "\($0)" } ?? "none")" }
    }

    /// The event with its synthesised call ids replaced by one placeholder.
    static func normalized(_ event: ModelEvent) -> ModelEvent {
        switch event {
        case .toolCallDelta(let index, let id, let name, let arguments):
            return .toolCallDelta(index: index, id: id.map(normalizedID), name: name, arguments: arguments)
        case .completed(let response): return .completed(normalized(response))
        default: return event
        }
    }

    static func normalized(_ response: ModelResponse) -> ModelResponse {
        var response = response
        response.message.toolCalls = response.message.toolCalls.map {
            ToolCall(id: normalizedID($0.id), name: $0.name, arguments: $0.arguments)
        }
        return response
    }

    /// `call_<synthesised>` for an id of the form ``ToolCall/synthesizedID()`` makes, else the id.
    static func normalizedID(_ id: String) -> String {
        let tail = id.utf8.dropFirst(5)
        guard id.hasPrefix("call_"), (2...24).contains(tail.count), tail.allSatisfy(\.isHexDigit) else { return id }
        return "call_<synthesised>"
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x61...0x66).contains(self)
    }
}
