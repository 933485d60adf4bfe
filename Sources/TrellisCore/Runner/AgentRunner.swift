import Logging
import Tracing

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
        /// The executor the run's tasks prefer; `nil` leaves them on the shared pool. The event loop of the HTTP
        /// client the providers use (`EventLoopTaskExecutor` in TrellisProviders) saves the hops between the pool
        /// and the loop on every turn. Tools that block a thread must not run on an event loop.
        public var executor: (any TaskExecutor)?

        /// Creates options.
        public init(
            stream: Bool = false, runID: String = AgentRunner.makeRunID(), workspace: String? = nil,
            approver: (any ToolApprover)? = nil, executor: (any TaskExecutor)? = nil
        ) {
            self.stream = stream
            self.runID = runID
            self.workspace = workspace
            self.approver = approver
            self.executor = executor
        }
    }

    let resolver: any AgentResolver
    let logger: Logger
    /// How many agents-as-tools deep this runner runs (0 for a run started by a caller).
    let depth: Int

    /// Creates a runner for one agent's model and tools.
    ///
    /// - Parameters:
    ///   - provider: The model to talk to.
    ///   - tools: The tools available to the agent; the model is offered all of them.
    ///   - logger: Where turns and tool calls are logged (at debug level).
    public init(provider: any ModelProvider, tools: [any ToolExecutor] = [], logger: Logger = Logger(label: "trellis"))
    {
        self.init(resolver: FixedEquipmentResolver(provider: provider, tools: tools), logger: logger)
    }

    /// Creates a runner that asks `resolver` for each agent a run reaches: the first, and every agent a route
    /// hands the run to.
    public init(resolver: any AgentResolver, logger: Logger = Logger(label: "trellis")) {
        self.init(resolver: resolver, logger: logger, depth: 0)
    }

    init(resolver: any AgentResolver, logger: Logger, depth: Int) {
        self.resolver = resolver
        self.logger = logger
        self.depth = depth
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
    /// When the agent routes, its router labels the input first and the run goes to the agent it picks, which may
    /// route again; ``RunResult/route`` holds the last decision and each one is a ``RunEvent/routed(_:)``.
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
        await drive(agent, options: options, onEvent: onEvent) { logger in
            await routeAndRun(agent, input: input, options: options, logger: logger, onEvent: onEvent)
        }
    }

    /// Goes on with a conversation whose last run ended: `input` is the next user message, answered by the agent
    /// that answered last (a continued conversation is not routed again).
    ///
    /// - Parameters:
    ///   - agent: The conversation's entry agent (``RunState/entryAgent``), whose limits hold for the run.
    ///   - state: The conversation, as the last ``RunEvent/committed(_:)`` of its last run left it.
    ///   - input: The user's next message.
    /// - Returns: The new run's result; a state whose run was cut short is refused (`interrupted_run`): resume it
    ///   first with ``resume(_:from:options:onEvent:)``.
    public func run(
        _ agent: AgentDefinition, continuing state: RunState, input: [ContentPart], options: Options = Options(),
        onEvent: @escaping @Sendable (RunEvent) async -> Void = { _ in }
    ) async -> RunResult {
        guard state.status == .finished else {
            var result = state.result
            result.finishReason = .error
            result.error = RunError(
                code: "interrupted_run",
                message: "the conversation's last run (\(state.runID)) was cut short; resume it before a new message")
            await onEvent(.finished(result))
            return result
        }
        var next = state
        next.totals.runs += 1
        next.totals.turns += state.turns
        next.totals.usage = state.allUsage
        next.runID = options.runID
        next.turns = 0
        next.usage = nil
        next.toolCalls = []
        next.repeats = RunState.Repeats()
        next.output = ""
        next.route = nil
        next.finishReason = nil
        next.error = nil
        next.transcript.append(.user(input))
        return await drive(agent, options: options, onEvent: onEvent) { [next] logger in
            await proceed(agent, from: next, options: options, logger: logger, onEvent: onEvent)
        }
    }

    /// Finishes a run that was cut short (the process died): from its last committed step, without a new message.
    ///
    /// Calls whose results were committed are not run again. A call that was running when the run was cut is run
    /// again only when its tool is ``ToolDefinition/idempotent``; otherwise it is answered with an error saying
    /// its outcome is unknown. Calls that had not started run. A state whose run ended is returned as it is.
    ///
    /// - Parameters:
    ///   - agent: The conversation's entry agent (``RunState/entryAgent``).
    ///   - state: The last committed state of the run.
    public func resume(
        _ agent: AgentDefinition, from state: RunState, options: Options = Options(),
        onEvent: @escaping @Sendable (RunEvent) async -> Void = { _ in }
    ) async -> RunResult {
        guard state.status == .running else {
            let result = state.result
            await onEvent(.finished(result))
            return result
        }
        return await drive(agent, options: options, onEvent: onEvent) { logger in
            await proceed(agent, from: state, options: options, logger: logger, onEvent: onEvent)
        }
    }

    /// Runs `body` on the options' executor, with the run's logger metadata and wall-clock limit, then reports the
    /// result.
    private func drive(
        _ agent: AgentDefinition, options: Options, onEvent: @escaping @Sendable (RunEvent) async -> Void,
        _ body: @escaping @Sendable (Logger) async -> RunResult
    ) async -> RunResult {
        guard let executor = options.executor else { return await traced(agent, options: options, onEvent, body) }
        return await withTaskExecutorPreference(executor) { await traced(agent, options: options, onEvent, body) }
    }

    /// Runs `body` with the run's logger metadata and wall-clock limit, then reports the result.
    private func traced(
        _ agent: AgentDefinition, options: Options, _ onEvent: @escaping @Sendable (RunEvent) async -> Void,
        _ body: @escaping @Sendable (Logger) async -> RunResult
    ) async -> RunResult {
        var logger = logger
        logger[metadataKey: "agent.run.id"] = "\(options.runID)"
        logger[metadataKey: "agent.name"] = "\(agent.name)"
        let result = await withSpan("run") { [logger] span in
            RunSpans.describe(run: span, id: options.runID, agent: agent.name)
            let result: RunResult
            if let timeout = agent.limits.timeout {
                result = await Self.withTimeout(timeout) { [logger] in await body(logger) }
            } else {
                result = await body(logger)
            }
            RunSpans.finish(run: span, result)
            return result
        }
        await onEvent(.finished(result))
        return result
    }

    /// Routes the input while the agent reached has a router, then runs the loop of the agent that answers.
    private func routeAndRun(
        _ agent: AgentDefinition, input: [ContentPart], options: Options, logger: Logger,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) async -> RunResult {
        var current = agent
        var decision: RouteDecision?
        // The `route` span holds the decision and the run of the agent it chose.
        var routeSpan: (any Span)?
        defer { routeSpan?.end() }
        let first: RunLoop.Current
        do {
            var path = [agent.name]
            let text = input.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
            while let router = try await resolver.router(for: current) {
                let span = routeSpan ?? startSpan("route")
                routeSpan = span
                let made: RouteDecision
                do {
                    made = try await router.decide(text)
                } catch {
                    span.recordError(error)
                    throw error
                }
                RunSpans.describe(route: span, made, path: path + [made.agent])
                decision = made
                await onEvent(.routed(made))
                logger.debug(
                    "routed",
                    metadata: ["agent.route.label": "\(made.label ?? "-")", "agent.route.to": "\(made.agent)"])
                // The loader refuses cycles; a resolver that bypasses it still cannot loop here.
                guard made.agent != current.name, !path.contains(made.agent) else { break }
                current = try await resolver.definition(named: made.agent)
                path.append(current.name)
            }
            first = try await self.current(
                current, try await resolver.equipment(for: current), options: options, onEvent: onEvent)
        } catch {
            return Self.setupFailure(error, agent: current.name, route: decision, usage: decision?.usage)
        }
        var transcript: [ChatMessage] = []
        if let system = current.system, !system.isEmpty { transcript.append(.system(system)) }
        transcript.append(.user(input))
        var state = RunState(
            runID: options.runID, entryAgent: current.name, agent: current.name, transcript: transcript)
        state.route = decision
        state.usage = decision?.usage
        let loop = loop(current, options: options, logger: logger, onEvent: onEvent)
        guard let routeSpan else { return await loop.run(from: state, with: first) }
        return await ServiceContext.withValue(routeSpan.context) { [state] in await loop.run(from: state, with: first) }
    }

    /// Runs the loop from a stored state, with the agent it names.
    private func proceed(
        _ agent: AgentDefinition, from state: RunState, options: Options, logger: Logger,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) async -> RunResult {
        var state = state
        let current: RunLoop.Current
        let limited: AgentDefinition
        do {
            let definition = state.agent == agent.name ? agent : try await resolver.definition(named: state.agent)
            limited =
                state.entryAgent == agent.name
                ? agent
                : state.entryAgent == definition.name
                    ? definition
                    : try await resolver.definition(named: state.entryAgent)
            current = try await self.current(
                definition, try await resolver.equipment(for: definition), options: options, onEvent: onEvent)
            // The agent's prompt may have changed since the state was written; the conversation takes the new one.
            RunLoop.replaceSystemPrompt(in: &state.transcript, with: definition.system)
        } catch {
            var result = Self.setupFailure(error, agent: state.agent, route: state.route, usage: state.usage)
            result.transcript = state.transcript
            return result
        }
        return await loop(limited, options: options, logger: logger, onEvent: onEvent).run(from: state, with: current)
    }

    private func loop(
        _ agent: AgentDefinition, options: Options, logger: Logger,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) -> RunLoop {
        let handOff: @Sendable (String) async throws -> RunLoop.Current = { target in
            let agent = try await resolver.definition(named: target)
            return try await self.current(
                agent, try await resolver.equipment(for: agent), options: options, onEvent: onEvent)
        }
        return RunLoop(agent: agent, options: options, logger: logger, onEvent: onEvent, handOff: handOff)
    }

    /// The result of a run whose agent could not be set up (or whose setup was cancelled).
    private static func setupFailure(_ error: any Error, agent: String, route: RouteDecision?, usage: Usage?)
        -> RunResult
    {
        let cancelled = error is CancellationError || Task.isCancelled
        return RunResult(
            agent: agent, output: "", finishReason: cancelled ? .cancelled : .error, route: route,
            turns: 0, toolCalls: [], usage: usage,
            error: cancelled
                ? RunLoop.cancelled
                : RunError(
                    code: (error as? AgentResolutionError)?.code ?? "agent_setup",
                    message: (error as? AgentResolutionError)?.message ?? "\(error)"),
            transcript: [])
    }

    /// What `agent` answers with: its equipment's tools, a `transfer_to_<agent>` tool per handoff, and a tool per
    /// agent it calls as a tool.
    private func current(
        _ agent: AgentDefinition, _ equipment: AgentEquipment, options: Options,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) async throws -> RunLoop.Current {
        var tools = equipment.tools
        for target in agent.handoffs {
            let definition = try await resolver.definition(named: target)
            tools.append(HandoffTool(target: definition.name, description: definition.description))
        }
        let nested = AgentRunner(resolver: resolver, logger: logger, depth: depth + 1)
        for name in agent.agentTools {
            tools.append(
                AgentTool(
                    agent: try await resolver.definition(named: name), runner: nested, options: options,
                    onEvent: onEvent))
        }
        return RunLoop.Current(agent: agent, provider: equipment.provider, dispatcher: ToolDispatcher(tools: tools))
    }

    /// Races the loop against the run's wall-clock limit; on timeout the loop is cancelled and closes its
    /// transcript before returning.
    private static func withTimeout(_ timeout: Duration, _ body: @escaping @Sendable () async -> RunResult) async
        -> RunResult
    {
        enum Outcome: Sendable {
            case finished(RunResult)
            case timedOut
        }
        let deadline = RunDeadline(timeout)
        return await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .finished(await RunDeadline.$current.withValue(deadline) { await body() }) }
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
                    deadline.pass()
                    group.cancelAll()
                case .finished(var result):
                    group.cancelAll()
                    // The loop reports its own timeout; a run cancelled while it was being set up is reported here.
                    if timedOut, result.finishReason == .cancelled {
                        result.finishReason = .timeout
                        result.error = deadline.error
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
