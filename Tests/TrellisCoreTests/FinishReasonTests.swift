import Testing
import TrellisCore

/// `FinishReason.normalized` follows the table in PROVIDERS.md §11 and rule 0.1 (tool calls win, except length).
struct FinishReasonTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var raw: String?
        var calls: Bool
        var text: Bool
        var expected: FinishReason

        init(_ raw: String?, calls: Bool = false, text: Bool = false, _ expected: FinishReason) {
            self.raw = raw
            self.calls = calls
            self.text = text
            self.expected = expected
        }

        var testDescription: String {
            "\(raw ?? "nil") calls:\(calls) text:\(text) -> \(expected.rawValue)"
        }
    }

    @Test(
        "raw reasons map to the common vocabulary",
        arguments: [
            // OpenAI and compatibles
            Case("stop", text: true, .stop),
            Case("length", text: true, .length),
            Case("tool_calls", calls: true, .toolCalls),
            Case("function_call", calls: true, .toolCalls),
            Case("content_filter", .contentFilter),
            // SiliconFlow, Together
            Case("eos", text: true, .stop),
            Case("eos_token", text: true, .stop),
            // vLLM, DeepSeek, Mistral, Ollama
            Case("abort", .error),
            Case("insufficient_system_resource", .error),
            Case("model_length", text: true, .length),
            Case("error", .error),
            Case("load", .error),
            Case("unload", .error),
            // Yandex native, Amvera
            Case("ALTERNATIVE_STATUS_FINAL", text: true, .stop),
            Case("ALTERNATIVE_STATUS_TRUNCATED_FINAL", text: true, .length),
            Case("ALTERNATIVE_STATUS_TOOL_CALLS", calls: true, .toolCalls),
            Case("ALTERNATIVE_STATUS_CONTENT_FILTER", .contentFilter),
            Case("ALTERNATIVE_STATUS_UNSPECIFIED", .error),
            Case("ALTERNATIVE_STATUS_UNSPECIFIED", text: true, .stop),
            // Anthropic
            Case("end_turn", text: true, .stop),
            Case("stop_sequence", text: true, .stop),
            Case("pause_turn", text: true, .stop),
            Case("max_tokens", text: true, .length),
            Case("model_context_window_exceeded", .length),
            Case("tool_use", calls: true, .toolCalls),
            Case("refusal", text: true, .contentFilter),
            // Unknown values: stop if anything was produced, else error
            Case("something_new", text: true, .stop),
            Case("something_new", .error),
            Case(nil, text: true, .stop),
        ])
    func table(_ testCase: Case) {
        #expect(
            FinishReason.normalized(raw: testCase.raw, hasToolCalls: testCase.calls, hasText: testCase.text)
                == testCase.expected)
    }

    @Test(
        "tool calls win over stop-like reasons",
        arguments: [
            "stop", "eos", "eos_token", "end_turn", "stop_sequence", "ALTERNATIVE_STATUS_FINAL", "tool_calls",
            "something_new", nil,
        ] as [String?])
    func toolCallsWin(raw: String?) {
        #expect(FinishReason.normalized(raw: raw, hasToolCalls: true, hasText: false) == .toolCalls)
        #expect(FinishReason.normalized(raw: raw, hasToolCalls: true, hasText: true) == .toolCalls)
    }

    @Test(
        "truncation, filtering and errors are never tool turns",
        arguments: [
            ("length", FinishReason.length), ("max_tokens", .length), ("ALTERNATIVE_STATUS_TRUNCATED_FINAL", .length),
            ("content_filter", .contentFilter), ("refusal", .contentFilter), ("abort", .error),
        ])
    func truncationBeatsCalls(raw: String, expected: FinishReason) {
        #expect(FinishReason.normalized(raw: raw, hasToolCalls: true, hasText: false) == expected)
    }

    @Test("a tool-call reason without calls is a final answer")
    func toolReasonWithoutCalls() {
        #expect(FinishReason.normalized(raw: "tool_calls", hasToolCalls: false, hasText: true) == .stop)
        #expect(FinishReason.normalized(raw: "tool_use", hasToolCalls: false, hasText: false) == .stop)
        #expect(
            FinishReason.normalized(raw: "ALTERNATIVE_STATUS_TOOL_CALLS", hasToolCalls: false, hasText: true) == .stop)
    }

    @Test("raw values keep their wire spelling")
    func rawValues() {
        #expect(FinishReason.toolCalls.rawValue == "tool_calls")
        #expect(FinishReason.contentFilter.rawValue == "content_filter")
    }
}
