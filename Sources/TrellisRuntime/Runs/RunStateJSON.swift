import Foundation
import TrellisCore

/// Encodes one conversation's successive ``RunState``s to JSON, each message once.
///
/// A step appends a message or two to the transcript, so re-encoding the whole conversation at every save would
/// make a long conversation's saves grow with its length. This keeps each message's JSON from the save before and
/// encodes only the messages that are new or changed.
package struct RunStateJSON {
    private var messages: [ChatMessage] = []
    private var json: [String] = []

    /// An encoder that has encoded nothing yet.
    package init() {}

    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The state's JSON.
    package mutating func encode(_ state: RunState) throws -> String {
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
        let body = Array(try Self.encoder.encode(rest))
        // Quotes inside JSON strings are escaped, so this key-and-value text occurs once: as the key itself.
        guard let at = Self.position(of: Self.emptyTranscript, in: body) else {
            return String(decoding: try Self.encoder.encode(state), as: UTF8.self)
        }
        var text = String(decoding: body[..<at], as: UTF8.self)
        text.reserveCapacity(body.count + json.reduce(0) { $0 + $1.utf8.count + 1 } + 16)
        text += #""transcript":["#
        for (index, message) in json.enumerated() {
            if index > 0 { text += "," }
            text += message
        }
        text += "]"
        text += String(decoding: body[(at + Self.emptyTranscript.count)...], as: UTF8.self)
        return text
    }

    private static let emptyTranscript = Array(#""transcript":[]"#.utf8)

    /// Where `pattern` first occurs in `bytes`.
    private static func position(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count, let first = pattern.first else { return nil }
        var index = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

    /// Reads a stored state.
    ///
    /// - Throws: ``RunStateVersionError`` for a state another version wrote, or a decoding error.
    package static func decode(_ text: String) throws -> RunState {
        try JSONDecoder().decode(RunState.self, from: Data(text.utf8))
    }
}
