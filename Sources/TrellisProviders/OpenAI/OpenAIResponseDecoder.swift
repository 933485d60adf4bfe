import TrellisCore

/// Reads OpenAI Chat Completions replies, tolerating what compatible servers do differently.
enum OpenAIResponseDecoder {
    /// Decodes a non-streamed `chat.completion` body.
    ///
    /// - Parameter billing: Whether to read Dewiar's `billing.request_cost` into ``Usage/cost``.
    static func response(
        from body: String, provider: String, status: Int, maxTokens: Int?, billing: Bool = false
    ) throws -> ModelResponse {
        let json = try ReplyBody.parse(body, provider: provider, status: status, decodeError: errorMessage)
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"]?.objectValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no choices[0].message", status: status, body: body)
        }
        let text = contentText(message["content"])
        var quirks: [String] = []
        var calls: [ToolCall] = []
        for call in message["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"]
            // A call without a name still gets a result (an error the model can correct), not a failed turn.
            let name = function?["name"]?.stringValue ?? ""
            if call["id"]?.stringValue?.isEmpty ?? true { quirks.append(OpenAIQuirk.synthesizedIDs) }
            if function?["arguments"]?.objectValue != nil { quirks.append(OpenAIQuirk.argumentsAsObject) }
            calls.append(ToolCall(id: callID(call["id"]), name: name, arguments: arguments(function?["arguments"])))
        }
        if message["tool_calls"]?.arrayValue?.isEmpty == true { quirks.append(OpenAIQuirk.emptyToolCalls) }
        if calls.isEmpty, let legacy = message["function_call"], let name = legacy["name"]?.stringValue, !name.isEmpty {
            calls.append(ToolCall(id: ToolCall.synthesizedID(), name: name, arguments: arguments(legacy["arguments"])))
        }
        let reasoning = message["reasoning_content"]?.stringValue ?? message["reasoning"]?.stringValue
        if message["reasoning_content"]?.stringValue?.isEmpty == false { quirks.append(OpenAIQuirk.reasoningContent) }
        var usage = json["usage"].flatMap(self.usage)
        if usage == nil { quirks.append(OpenAIQuirk.noUsage) }
        if billing, let cost = json["billing"].flatMap(self.cost) { usage = withCost(usage, cost) }
        let raw = choice["finish_reason"]?.stringValue
        let reason = finishReason(raw: raw, calls: calls, text: text, usage: usage, maxTokens: maxTokens)
        quirks += OpenAIQuirk.finish(raw: raw, reason: reason, hasToolCalls: !calls.isEmpty)
        return ModelResponse(
            message: .assistant(text, toolCalls: calls, reasoning: reasoning?.isEmpty == false ? reasoning : nil),
            finishReason: reason, rawFinishReason: raw, usage: usage, model: json["model"]?.stringValue,
            quirks: unique(quirks))
    }

    /// `billing.request_cost` of Dewiar's billing block, as a number or a numeric string.
    static func cost(_ billing: JSONValue) -> Double? {
        guard let cost = billing["request_cost"] else { return nil }
        if let text = cost.stringValue { return Double(text) }
        return cost.doubleValue
    }

    /// `usage` with `cost` set, or token-less usage carrying only the cost.
    static func withCost(_ usage: Usage?, _ cost: Double) -> Usage {
        var result = usage ?? Usage()
        result.cost = cost
        return result
    }

    /// `quirks` without repeats, in first-seen order.
    static func unique(_ quirks: [String]) -> [String] {
        var seen = Set<String>()
        return quirks.filter { seen.insert($0).inserted }
    }

    /// Normalises the finish reason; a `tool_calls` reply whose arguments do not parse and that used the whole
    /// token budget was cut off, so it is `length`.
    static func finishReason(raw: String?, calls: [ToolCall], text: String, usage: Usage?, maxTokens: Int?)
        -> FinishReason
    {
        let reason = FinishReason.normalized(raw: raw, hasToolCalls: !calls.isEmpty, hasText: !text.isEmpty)
        if reason == .toolCalls, let maxTokens, let output = usage?.outputTokens, output >= maxTokens,
            calls.contains(where: { (try? JSONValue.parse($0.arguments.isEmpty ? "{}" : $0.arguments)) == nil })
        {
            return .length
        }
        return reason
    }

    /// `content` as text: a string, null, or an array of `{type: text, text}` parts.
    static func contentText(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text): return text
        case .array(let parts): return parts.compactMap { $0["text"]?.stringValue }.joined()
        default: return ""
        }
    }

    /// Arguments as JSON text: strings are kept, objects re-serialised, absent or empty means `{}`.
    static func arguments(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text): return text.isEmpty ? "{}" : text
        case nil, .null: return "{}"
        case let other?: return other.serialized()
        }
    }

    /// The id, or a synthesised one when it is missing, empty or null.
    static func callID(_ value: JSONValue?) -> String {
        if let id = value?.stringValue, !id.isEmpty { return id }
        return ToolCall.synthesizedID()
    }

    static func usage(_ value: JSONValue) -> Usage? {
        guard value.objectValue != nil else { return nil }
        let input = value["prompt_tokens"]?.intValue ?? value["input_tokens"]?.intValue ?? 0
        let output = value["completion_tokens"]?.intValue ?? value["output_tokens"]?.intValue ?? 0
        let reasoning = value["completion_tokens_details"]?["reasoning_tokens"]?.intValue
        return Usage(inputTokens: input, outputTokens: output, reasoningTokens: reasoning)
    }

    /// The vendor's message and code from an error body: `error.message`, then a top-level `message`, then the
    /// raw text, with a hint added for errors whose fix is known (vLLM without auto tool choice).
    static func errorMessage(from body: String) -> (message: String, code: String?) {
        let decoded = vendorMessage(from: body)
        return (decoded.message + hint(for: decoded.message), decoded.code)
    }

    /// What the user should do about an error message, or "".
    ///
    /// vLLM refuses `tool_choice: auto` (and tools without a choice) with HTTP 400 unless the server was started
    /// with `--enable-auto-tool-choice --tool-call-parser <parser>`; retrying or changing the request cannot help.
    static func hint(for message: String) -> String {
        guard message.contains("enable-auto-tool-choice") else { return "" }
        return " (the vLLM server must be started with --enable-auto-tool-choice --tool-call-parser <parser>,"
            + " for example --tool-call-parser llama3_json for Llama 3.x, hermes for Qwen)"
    }

    private static func vendorMessage(from body: String) -> (message: String, code: String?) {
        guard let json = try? JSONValue.parse(body) else {
            let text = body.trimmingSpacesAndNewlines
            return (text.isEmpty ? "empty error body" : text, nil)
        }
        // SiliconFlow answers a bad key with a bare JSON string: "Invalid token".
        if let message = json.stringValue, !message.isEmpty { return (message, nil) }
        if let error = json["error"] {
            // `{"error": ""}` says nothing; the body itself is the best message left.
            if let message = error.stringValue {
                return (message.isEmpty ? body.trimmingSpacesAndNewlines : message, json["code"].flatMap(codeText))
            }
            let code = error["code"].flatMap(codeText) ?? error["type"]?.stringValue
            let message = error["message"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            return (message ?? error.serialized(), code)
        }
        if let message = json["message"]?.stringValue {
            return (message, json["code"].flatMap(codeText) ?? json["type"]?.stringValue)
        }
        return (body.trimmingSpacesAndNewlines, nil)
    }

    private static func codeText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        default: return nil
        }
    }
}

extension String {
    var trimmingSpacesAndNewlines: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
