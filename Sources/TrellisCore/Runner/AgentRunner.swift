import Logging

/// Runs an agent: the tool-calling loop between a model and its tools.
///
/// Each turn sends the transcript to the provider. When the reply holds tool calls — whatever finish reason the
/// provider reported, unless the reply was cut off by `length` — every call's arguments are checked against the
/// tool's JSON Schema, the calls run (concurrently when ``AgentDefinition/parallelToolCalls`` allows), one result
/// per call is appended in call order, and the loop goes on. Unknown tools, invalid arguments and tool failures go
/// back to the model as error results. The run ends on a final answer or a limit (``RunLimits``), never by
/// throwing: failures are reported in the ``RunResult``.
///
/// ```swift
/// let runner = AgentRunner(provider: provider, tools: [Clock(), Calculator()])
/// let result = await runner.run(agent, input: "What is 17 * 23?") { event in
///     if case .toolCall(let call) = event { print("→", call.name) }
/// }
/// print(result.output)
/// ```
public struct AgentRunner: Sendable {
    /// Per-run settings that are not part of the agent.
    public struct Options: Sendable {
        /// Whether to stream the model's replies (text arrives as ``RunEvent/textDelta(_:)``).
        public var stream: Bool
        /// The run's id, passed to tools.
        public var runID: String
        /// The workspace folder, passed to tools.
        public var workspace: String?
        /// Who decides calls whose approval rule is `ask`; without one they are refused.
        public var approver: (any ToolApprover)?

        /// Creates options.
        public init(
            stream: Bool = false, runID: String = AgentRunner.makeRunID(), workspace: String? = nil,
            approver: (any ToolApprover)? = nil
        ) {
            self.stream = stream
            self.runID = runID
            self.workspace = workspace
            self.approver = approver
        }
    }

    let provider: any ModelProvider
    let dispatcher: ToolDispatcher
    let logger: Logger

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - provider: The model to talk to.
    ///   - tools: The tools available to the agent; the model is offered all of them.
    ///   - logger: Where turns and tool calls are logged (at debug level).
    public init(provider: any ModelProvider, tools: [any ToolExecutor] = [], logger: Logger = Logger(label: "trellis"))
    {
        self.provider = provider
        self.dispatcher = ToolDispatcher(
            tools: Dictionary(tools.map { ($0.definition.name, $0) }, uniquingKeysWith: { first, _ in first }),
            order: tools.map(\.definition.name))
        self.logger = logger
    }

    /// Runs an agent on a text input.
    public func run(
        _ agent: AgentDefinition,
        input: String,
        options: Options = Options(),
        onEvent: @escaping @Sendable (RunEvent) async -> Void = { _ in }
    ) async -> RunResult {
        await run(agent, input: [.text(input)], options: options, onEvent: onEvent)
    }

    /// Runs an agent on an input of text and image parts.
    ///
    /// - Parameters:
    ///   - agent: The agent to run.
    ///   - input: The user's message.
    ///   - options: Streaming and the run id.
    ///   - onEvent: Called with every ``RunEvent``, in order; the last is ``RunEvent/finished(_:)``.
    /// - Returns: The result; it reports provider failures, limits and cancellation instead of throwing.
    public func run(
        _ agent: AgentDefinition,
        input: [ContentPart],
        options: Options = Options(),
        onEvent: @escaping @Sendable (RunEvent) async -> Void = { _ in }
    ) async -> RunResult {
        var logger = logger
        logger[metadataKey: "agent.run.id"] = "\(options.runID)"
        logger[metadataKey: "agent.name"] = "\(agent.name)"
        var transcript: [ChatMessage] = []
        if let system = agent.system, !system.isEmpty { transcript.append(.system(system)) }
        transcript.append(.user(input))
        let loop = RunLoop(
            agent: agent, provider: provider, dispatcher: dispatcher,
            options: options, logger: logger, onEvent: onEvent, transcript: transcript)

        let result: RunResult
        if let timeout = agent.limits.timeout {
            result = await Self.withTimeout(timeout, loop: loop)
        } else {
            result = await loop.run()
        }
        await onEvent(.finished(result))
        return result
    }

    /// Races the loop against the run's wall-clock limit; on timeout the loop is cancelled and closes its
    /// transcript before returning.
    private static func withTimeout(_ timeout: Duration, loop: RunLoop) async -> RunResult {
        enum Outcome: Sendable {
            case finished(RunResult)
            case timedOut
        }
        return await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .finished(await loop.run()) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout.capped)
                    return .timedOut
                } catch {
                    return .timedOut
                }
            }
            var timedOut = false
            while let outcome = await group.next() {
                switch outcome {
                case .timedOut:
                    if Task.isCancelled { continue }
                    timedOut = true
                    group.cancelAll()
                case .finished(var result):
                    group.cancelAll()
                    if timedOut, result.finishReason == .cancelled {
                        result.finishReason = .timeout
                        result.error = RunError(
                            code: "timeout", message: "the run exceeded limits.timeout (\(timeout.seconds)s)")
                    }
                    return result
                }
            }
            preconditionFailure("the loop task always finishes")
        }
    }

    /// A fresh run id, `run_` and 16 hex digits.
    public static func makeRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return "run_" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
