import TrellisCore

/// Reads OpenAI Chat Completions replies, tolerating what compatible servers do differently.
enum OpenAIResponseDecoder {
    /// Decodes a non-streamed `chat.completion` body.
    static func response(from body: String, provider: String, status: Int, maxTokens: Int?) throws -> ModelResponse {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply is not JSON (\(error))", status: status, body: body)
        }
        if let error = json["error"], !error.isNull {
            let decoded = errorMessage(from: body)
            throw ProviderError.http(
                provider: provider, status: status, message: decoded.message, vendorCode: decoded.code, body: body)
        }
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"]?.objectValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no choices[0].message", status: status, body: body)
        }
        let text = contentText(message["content"])
        var calls: [ToolCall] = []
        for (position, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            let function = call["function"]
            guard let name = function?["name"]?.stringValue, !name.isEmpty else {
                throw ProviderError.malformedResponse(
                    provider: provider, message: "tool_calls[\(position)] has no function name", status: status,
                    body: body)
            }
            calls.append(ToolCall(id: callID(call["id"]), name: name, arguments: arguments(function?["arguments"])))
        }
        if calls.isEmpty, let legacy = message["function_call"], let name = legacy["name"]?.stringValue, !name.isEmpty {
            calls.append(ToolCall(id: ToolCall.synthesizedID(), name: name, arguments: arguments(legacy["arguments"])))
        }
        let reasoning = message["reasoning_content"]?.stringValue ?? message["reasoning"]?.stringValue
        let usage = json["usage"].flatMap(self.usage)
        let raw = choice["finish_reason"]?.stringValue
        let reason = finishReason(raw: raw, calls: calls, text: text, usage: usage, maxTokens: maxTokens)
        return ModelResponse(
            message: .assistant(text, toolCalls: calls, reasoning: reasoning?.isEmpty == false ? reasoning : nil),
            finishReason: reason, rawFinishReason: raw, usage: usage, model: json["model"]?.stringValue)
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
    /// raw text.
    static func errorMessage(from body: String) -> (message: String, code: String?) {
        guard let json = try? JSONValue.parse(body) else {
            let text = body.trimmingSpacesAndNewlines
            return (text.isEmpty ? "empty error body" : text, nil)
        }
        if let error = json["error"] {
            if let message = error.stringValue { return (message, nil) }
            let code = error["code"].flatMap(codeText) ?? error["type"]?.stringValue
            return (error["message"]?.stringValue ?? error.serialized(), code)
        }
        if let message = json["message"]?.stringValue {
            return (message, json["code"].flatMap(codeText) ?? json["type"]?.stringValue)
        }
        return (body, nil)
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
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
