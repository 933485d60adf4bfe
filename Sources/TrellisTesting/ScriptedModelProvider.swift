import Synchronization
import TrellisCore

/// A ``ModelProvider`` that replays a script of replies, for tests of the agent loop.
///
/// It records every request it receives, so a test can check what the loop sent.
///
/// ```swift
/// let provider = ScriptedModelProvider([
///     .call("calculator", #"{"expression":"2+2"}"#),
///     .answer("4"),
/// ])
/// let result = await AgentRunner(provider: provider, tools: [Calculator()]).run(agent, input: "2+2?")
/// ```
public final class ScriptedModelProvider: ModelProvider {
    /// One scripted step.
    public enum Step: Sendable {
        /// Return this reply.
        case reply(ModelResponse)
        /// Throw this error.
        case failure(any Error)
        /// Wait, then take the next step.
        indirect case delayed(Duration, Step)

        /// A final text answer.
        public static func answer(_ text: String, usage: Usage? = nil) -> Step {
            .reply(ModelResponse(message: .assistant(text), finishReason: .stop, rawFinishReason: "stop", usage: usage))
        }

        /// A reply with one tool call.
        public static func call(
            _ name: String, _ arguments: String = "{}", id: String? = nil, finish: String? = "tool_calls",
            usage: Usage? = nil
        ) -> Step {
            calls([(name, arguments)], finish: finish, usage: usage, ids: id.map { [$0] })
        }

        /// A reply with several tool calls; the finish reason is normalised as an adapter would.
        public static func calls(
            _ calls: [(String, String)], text: String = "", finish: String? = "tool_calls", usage: Usage? = nil,
            ids: [String]? = nil
        ) -> Step {
            let toolCalls = calls.enumerated().map { position, call in
                ToolCall(id: ids?[position] ?? "call_\(position + 1)", name: call.0, arguments: call.1)
            }
            let reason = FinishReason.normalized(raw: finish, hasToolCalls: !toolCalls.isEmpty, hasText: !text.isEmpty)
            return .reply(
                ModelResponse(
                    message: .assistant(text, toolCalls: toolCalls), finishReason: reason, rawFinishReason: finish,
                    usage: usage))
        }
    }

    /// The script ran out.
    public struct ExhaustedError: Error, CustomStringConvertible {
        public var description: String { "the scripted provider has no more replies" }
    }

    private let state: Mutex<(steps: [Step], requests: [ModelRequest])>

    /// Creates a provider that plays `steps` in order.
    public init(_ steps: [Step]) { state = Mutex((steps, [])) }

    /// The requests received so far, in order.
    public var requests: [ModelRequest] { state.withLock { $0.requests } }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let step = try state.withLock { state -> Step in
            state.requests.append(request)
            guard !state.steps.isEmpty else { throw ExhaustedError() }
            return state.steps.removeFirst()
        }
        return try await play(step)
    }

    private func play(_ step: Step) async throws -> ModelResponse {
        switch step {
        case .reply(let response): return response
        case .failure(let error): throw error
        case .delayed(let duration, let next):
            try await Task.sleep(for: duration)
            return try await play(next)
        }
    }

    /// Streams the scripted reply: its text word by word, then ``ModelEvent/completed(_:)``.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let pending = Mutex<[ModelEvent]?>(nil)
        return AsyncThrowingStream {
            if pending.withLock({ $0 == nil }) {
                let response = try await self.complete(request)
                var events: [ModelEvent] = []
                var word = ""
                for character in response.message.text {
                    word.append(character)
                    if character == " " {
                        events.append(.textDelta(word))
                        word = ""
                    }
                }
                if !word.isEmpty { events.append(.textDelta(word)) }
                events.append(.completed(response))
                pending.withLock { $0 = events }
            }
            return pending.withLock { events -> ModelEvent? in
                guard var list = events, !list.isEmpty else { return nil }
                let first = list.removeFirst()
                events = list
                return first
            }
        }
    }
}
