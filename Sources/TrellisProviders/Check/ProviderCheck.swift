import TrellisCore

/// A fixed battery of requests that shows how a provider behaves: a plain answer, one tool call with its result
/// fed back, two parallel calls, and a streamed reply with tool-call deltas. `trellis provider check NAME` prints
/// the outcome as a table; tests run the same battery against every vendor fake.
///
/// ```swift
/// let outcomes = await ProviderCheck.run(provider, model: "yandexgpt")
/// for outcome in outcomes { print(outcome.name, outcome.passed, outcome.quirks) }
/// ```
public enum ProviderCheck {
    /// What one check of the battery saw.
    public struct Outcome: Sendable, Hashable {
        /// The check's name (`plain answer`, `one tool call`, ...).
        public var name: String
        /// Whether the provider did what the check asked.
        public var passed: Bool { problem == nil }
        /// The provider's raw finish value(s) and their normalised meaning, as `raw → normalised`.
        public var finish: String
        /// How many tool calls came back (for the round trip: in the first reply).
        public var calls: Int
        /// The tokens reported, summed over the check's requests, when any were.
        public var usage: Usage?
        /// Wire-level deviations the adapter smoothed over, and other observations.
        public var quirks: [String]
        /// What went wrong or differed, when the check did not pass.
        public var problem: String?
        /// Wall-clock time of the check.
        public var duration: Duration
    }

    /// The tool every check offers.
    public static let weatherTool = ToolDefinition(
        name: "get_weather", description: "Current weather for a city",
        parameters: [
            "type": "object", "properties": ["city": ["type": "string", "description": "City name"]],
            "required": ["city"],
        ])

    static let system = ChatMessage.system("You are a terse assistant. Use the tools when asked to.")

    /// Runs the battery, one check after another; a failing check does not stop the others.
    public static func run(_ provider: any ModelProvider, model: String) async -> [Outcome] {
        [
            await measure("plain answer") { try await plainAnswer(provider, model: model) },
            await measure("one tool call + result") { try await roundTrip(provider, model: model) },
            await measure("two parallel calls") { try await parallelCalls(provider, model: model) },
            await measure("streamed tool deltas") { try await streamedCalls(provider, model: model) },
        ]
    }

    private static func measure(_ name: String, _ check: () async throws -> Outcome) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var outcome: Outcome
        do {
            outcome = try await check()
        } catch {
            outcome = Outcome(
                name: name, finish: "-", calls: 0, usage: nil, quirks: [], problem: "\(error)",
                duration: .zero)
        }
        outcome.name = name
        outcome.duration = clock.now - start
        return outcome
    }

    static func plainAnswer(_ provider: any ModelProvider, model: String) async throws -> Outcome {
        let reply = try await provider.complete(
            ModelRequest(model: model, messages: [system, .user("Say hello in three words.")]))
        var outcome = describe([reply])
        if reply.message.text.isEmpty {
            outcome.problem = "no text in the reply"
        } else if reply.finishReason != .stop {
            outcome.problem = "finish is \(reply.finishReason.rawValue), expected stop"
        }
        return outcome
    }

    static func roundTrip(_ provider: any ModelProvider, model: String) async throws -> Outcome {
        var messages = [system, ChatMessage.user("What is the weather in Kazan? Call get_weather.")]
        let first = try await provider.complete(
            ModelRequest(model: model, messages: messages, tools: [weatherTool], toolChoice: .auto))
        var outcome = describe([first])
        if let problem = callProblem(first, expected: 1) {
            outcome.problem = problem
            return outcome
        }
        messages.append(first.message)
        for call in first.message.toolCalls {
            messages.append(.tool(callID: call.id, name: call.name, content: #"{"temp_c":-3,"sky":"snow"}"#))
        }
        let second = try await provider.complete(
            ModelRequest(model: model, messages: messages, tools: [weatherTool], toolChoice: .auto))
        outcome = describe([first, second])
        if second.message.text.isEmpty || second.finishReason != .stop {
            outcome.problem =
                "after the tool result: finish \(second.finishReason.rawValue), text \(second.message.text.isEmpty ? "empty" : "present")"
        }
        return outcome
    }

    static func parallelCalls(_ provider: any ModelProvider, model: String) async throws -> Outcome {
        let reply = try await provider.complete(parallelRequest(model: model))
        var outcome = describe([reply])
        outcome.problem = callProblem(reply, expected: 2)
        return outcome
    }

    static func streamedCalls(_ provider: any ModelProvider, model: String) async throws -> Outcome {
        var deltas = 0
        var reply: ModelResponse?
        for try await event in provider.stream(parallelRequest(model: model)) {
            switch event {
            case .toolCallDelta: deltas += 1
            case .completed(let response): reply = response
            default: break
            }
        }
        guard let reply else { throw ProviderError.truncatedStream(provider: model, message: "no completed reply") }
        var outcome = describe([reply])
        outcome.quirks.append("\(deltas) tool-call deltas")
        outcome.problem = callProblem(reply, expected: 2) ?? (deltas == 0 ? "no tool-call deltas were streamed" : nil)
        return outcome
    }

    static func parallelRequest(model: String) -> ModelRequest {
        ModelRequest(
            model: model,
            messages: [
                system, .user("What is the weather in Kazan and in Perm? Call get_weather once for each city."),
            ],
            tools: [weatherTool], toolChoice: .auto, parallelToolCalls: true)
    }

    /// Why a reply is not the tool turn asked for, or `nil` when it is.
    static func callProblem(_ reply: ModelResponse, expected: Int) -> String? {
        let calls = reply.message.toolCalls
        if calls.count < expected { return "\(calls.count) tool call(s), expected \(expected)" }
        if reply.finishReason != .toolCalls { return "finish is \(reply.finishReason.rawValue), expected tool_calls" }
        for call in calls {
            guard call.name == weatherTool.name else { return "called unknown tool '\(call.name)'" }
            guard let arguments = try? JSONValue.parse(call.arguments), arguments["city"]?.stringValue != nil else {
                return "arguments \(call.arguments) do not match the schema"
            }
        }
        return nil
    }

    /// The observable facts of a check's replies.
    static func describe(_ replies: [ModelResponse]) -> Outcome {
        var quirks: [String] = []
        var usage: Usage?
        for reply in replies {
            for quirk in reply.quirks where !quirks.contains(quirk) { quirks.append(quirk) }
            if let reported = reply.usage { usage = (usage ?? Usage()) + reported }
        }
        if replies.contains(where: { $0.usage == nil }) { quirks.append("no usage reported") }
        if replies.contains(where: { $0.message.reasoning != nil }) { quirks.append("reasoning text") }
        let finish = replies.map { "\($0.rawFinishReason ?? "none") → \($0.finishReason.rawValue)" }
            .joined(separator: ", ")
        return Outcome(
            name: "", finish: finish, calls: replies.first?.message.toolCalls.count ?? 0, usage: usage,
            quirks: quirks, problem: nil, duration: .zero)
    }
}
