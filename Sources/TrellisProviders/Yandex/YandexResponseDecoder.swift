import TrellisCore

/// Reads Yandex completion replies (PROVIDERS §6.4): `result.alternatives` or top-level `alternatives`, tool calls
/// whose arguments are objects and that have no ids, usage counters as strings, and grpc-gateway error bodies.
enum YandexResponseDecoder {
    /// What one `alternatives[0]` holds.
    struct Alternative {
        /// The message text (for a stream line, all the text so far).
        var text: String
        /// The tool calls, with synthesised ids.
        var calls: [ToolCall]
        /// The raw `status`.
        var status: String?
        /// Deviations from a plain OpenAI reply that were smoothed over.
        var quirks: [String]
    }

    /// The status of a reply still being generated: never terminal, an error in a final reply.
    static let partial = "ALTERNATIVE_STATUS_PARTIAL"

    /// Decodes a non-streamed completion body.
    static func response(from body: String, provider: String, status: Int) throws -> ModelResponse {
        let json = try ReplyBody.parse(body, provider: provider, status: status, decodeError: errorMessage)
        let result = envelope(json)
        guard let alternative = try self.alternative(of: result, provider: provider, status: status, body: body) else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no result.alternatives[0].message", status: status,
                body: body)
        }
        let (usage, stringCounters) = self.usage(result["usage"])
        return assemble(
            alternative, usage: usage, model: result["modelVersion"]?.stringValue,
            quirks: alternative.quirks + (stringCounters ? ["int64 as strings"] : []))
    }

    /// The reply with its normalised finish reason (PROVIDERS §11): a `PARTIAL` status in a final reply is an
    /// error, and so is `UNSPECIFIED` or a missing status unless the reply has text or tool calls.
    static func assemble(_ alternative: Alternative, usage: Usage?, model: String?, quirks: [String]) -> ModelResponse {
        let reason: FinishReason
        if alternative.status == partial {
            reason = .error
        } else {
            reason = FinishReason.normalized(
                raw: alternative.status ?? "ALTERNATIVE_STATUS_UNSPECIFIED", hasToolCalls: !alternative.calls.isEmpty,
                hasText: !alternative.text.isEmpty)
        }
        var unique: [String] = []
        for quirk in quirks where !unique.contains(quirk) { unique.append(quirk) }
        return ModelResponse(
            message: .assistant(alternative.text, toolCalls: alternative.calls), finishReason: reason,
            rawFinishReason: alternative.status, usage: usage, model: model, quirks: unique)
    }

    /// The `result` object, or the body itself when it is not wrapped (the REST reference's shape).
    static func envelope(_ json: JSONValue) -> JSONValue {
        if let result = json["result"], result.objectValue != nil { return result }
        return json
    }

    /// `alternatives[0]`, or `nil` when there is none.
    static func alternative(of result: JSONValue, provider: String, status: Int, body: String) throws -> Alternative? {
        guard let first = result["alternatives"]?.arrayValue?.first, let message = first["message"],
            message.objectValue != nil
        else { return nil }
        var quirks: [String] = []
        var calls: [ToolCall] = []
        for item in message["toolCallList"]?["toolCalls"]?.arrayValue ?? [] {
            let function = item["functionCall"]
            // A call without a name still gets a result (an error the model can correct), not a failed turn.
            let name = function?["name"]?.stringValue ?? ""
            let arguments = function?["arguments"]
            if arguments?.objectValue != nil { quirks.append("arguments as object") }
            if item["id"]?.stringValue?.isEmpty ?? true { quirks.append("call ids missing (synthesised)") }
            calls.append(
                ToolCall(
                    id: OpenAIResponseDecoder.callID(item["id"]), name: name,
                    arguments: OpenAIResponseDecoder.arguments(arguments)))
        }
        return Alternative(
            text: message["text"]?.stringValue ?? "", calls: calls, status: first["status"]?.stringValue,
            quirks: quirks)
    }

    /// Usage from `inputTextTokens`, `completionTokens` and `completionTokensDetails.reasoningTokens`, and whether
    /// the counters came as strings.
    static func usage(_ value: JSONValue?) -> (Usage?, Bool) {
        guard let value, value.objectValue != nil else { return (nil, false) }
        let input = value["inputTextTokens"]
        let output = value["completionTokens"]
        let reasoning = value["completionTokensDetails"]?["reasoningTokens"]
        let strings = [input, output, value["totalTokens"]].contains { $0?.stringValue != nil }
        let usage = Usage(
            inputTokens: input?.intValue ?? 0, outputTokens: output?.intValue ?? 0, reasoningTokens: reasoning?.intValue
        )
        return (usage, strings)
    }

    /// The vendor's message and gRPC code from an error body: the grpc-gateway form
    /// `{"error":{"grpcCode","httpCode","message","httpStatus","details"}}`, the bare Status form
    /// `{"code","message","details"}`, then whatever ``OpenAIResponseDecoder/errorMessage(from:)`` finds.
    static func errorMessage(from body: String) -> (message: String, code: String?) {
        if let json = try? JSONValue.parse(body), let error = json["error"], let grpc = error["grpcCode"] {
            let message = error["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            return (message ?? error["httpStatus"]?.stringValue ?? error.serialized(), codeText(grpc))
        }
        return OpenAIResponseDecoder.errorMessage(from: body)
    }

    private static func codeText(_ value: JSONValue) -> String? {
        if let number = value.intValue { return String(number) }
        return value.stringValue
    }

    /// Whether an error is Yandex refusing a topic (HTTP 400 "An answer to a given topic cannot be generated"),
    /// which the adapter reports as a `contentFilter` reply rather than a failure.
    static func isTopicRefusal(_ error: ProviderError) -> Bool {
        error.status == 400 && error.message.lowercased().contains("cannot be generated")
    }

    /// The reply for a refused topic: no text, finish `contentFilter`, the vendor's message as the raw reason.
    static func refusal(_ error: ProviderError) -> ModelResponse {
        ModelResponse(
            message: .assistant(""), finishReason: .contentFilter, rawFinishReason: error.message,
            quirks: ["refusal as http 400"])
    }
}
