import Foundation
import Testing
import TrellisCore

/// A message's stored form written and read without a Coder says what its `Codable` conformance says, and a
/// damaged one is refused with the place named.
@Suite struct StoredMessageTests {
    static var messages: [ChatMessage] {
        RunStateTests.everything.transcript + [
            .tool(callID: "call_9", name: "t", content: "quote \" backslash \\ control \u{1}\u{1F} tab \t slash /"),
            .assistant("", toolCalls: [], reasoning: nil),
            ChatMessage(role: .user, content: []),
        ]
    }

    @Test(arguments: messages)
    func writesWhatTheEncoderWrites(message: ChatMessage) throws {
        var text = ""
        message.writeStored(to: &text)
        let encoded = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        #expect(try JSONValue.parse(text) == JSONValue.parse(encoded))
        #expect(try JSONDecoder().decode(ChatMessage.self, from: Data(text.utf8)) == message)
    }

    @Test(arguments: messages)
    func readsWhatTheEncoderWrites(message: ChatMessage) throws {
        let encoded = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        #expect(try ChatMessage(stored: JSONValue.parse(encoded), at: "transcript[0]") == message)
    }

    @Test func keysComeInTheEncodersOrder() throws {
        var text = ""
        ChatMessage(
            role: .tool, content: [.text("ok")], toolCalls: [ToolCall(id: "c", name: "n", arguments: "{}")],
            toolCallID: "c", toolName: "n", reasoning: "r"
        ).writeStored(to: &text)
        #expect(
            text == #"{"role":"tool","content":[{"type":"text","text":"ok"}],"#
                + #""tool_calls":[{"id":"c","name":"n","arguments":"{}"}],"tool_call_id":"c","tool_name":"n","#
                + #""reasoning":"r"}"#)
    }

    @Test(arguments: [
        (#"{"content":[]}"#, "role", "missing"),
        (#"{"role":"robot"}"#, "role", "unknown role 'robot' (system, user, assistant, tool)"),
        (#"{"role":"user","content":{"type":"text"}}"#, "content", "expected an array, found object"),
        (
            #"{"role":"user","content":[{"type":"video"}]}"#, "content[0].type",
            "unknown content part type 'video' (text, image)"
        ),
        (
            #"{"role":"user","content":[{"type":"text","text":3}]}"#, "content[0].text",
            "expected a string, found integer"
        ),
        (#"{"role":"assistant","tool_calls":[{"id":"c","arguments":"{}"}]}"#, "tool_calls[0].name", "missing"),
        (#"{"role":"tool","tool_call_id":false}"#, "tool_call_id", "expected a string, found boolean"),
        (#"["role"]"#, "", "expected an object, found array"),
    ])
    func aDamagedMessageNamesThePlace(json: String, field: String, problem: String) throws {
        let value = try JSONValue.parse(json)
        let path = field.isEmpty ? "transcript[2]" : "transcript[2]." + field
        #expect(throws: StoredFormError(path: path, problem: problem)) {
            try ChatMessage(stored: value, at: "transcript[2]")
        }
    }
}
