import Foundation
import TrellisCore

/// Encodes one conversation's successive ``RunState``s to JSON, each message once.
///
/// A step appends a message or two to the transcript, so re-encoding the whole conversation at every save would
/// make a long conversation's saves grow with its length. This keeps each message's JSON from the save before and
/// encodes only the messages that are new or changed.
struct RunStateJSON {
    private var messages: [ChatMessage] = []
    private var json: [String] = []

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The state's JSON.
    mutating func encode(_ state: RunState) throws -> String {
        let transcript = state.transcript
        var kept = 0
        let limit = min(messages.count, transcript.count)
        while kept < limit, messages[kept] == transcript[kept] { kept += 1 }
        messages.removeSubrange(kept...)
        json.removeSubrange(kept...)
        for message in transcript[kept...] {
            messages.append(message)
            json.append(String(decoding: try Self.encoder.encode(message), as: UTF8.self))
        }
        var rest = state
        rest.transcript = []
        let body = String(decoding: try Self.encoder.encode(rest), as: UTF8.self)
        // Quotes inside JSON strings are escaped, so this key-and-value text occurs once: as the key itself.
        let empty = #""transcript":[]"#
        guard let range = body.range(of: empty) else {
            return String(decoding: try Self.encoder.encode(state), as: UTF8.self)
        }
        return body.replacingCharacters(in: range, with: #""transcript":["# + json.joined(separator: ",") + "]")
    }

    /// Reads a stored state.
    ///
    /// - Throws: ``RunStateVersionError`` for a state another version wrote, or a decoding error.
    static func decode(_ text: String) throws -> RunState {
        try JSONDecoder().decode(RunState.self, from: Data(text.utf8))
    }
}
