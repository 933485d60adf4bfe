import Logging
import Tracing

/// Checks and runs one reply's tool calls, and turns every failure into an error result.
///
/// A batch goes through three steps, each committed to the run's state so that a crash loses nothing: every call
/// is checked (tool, arguments, budget, repeats, approval rule), approvals are asked, and the approved calls run
/// (concurrently when the agent allows), each result committed as its call finishes.
struct ToolDispatcher: Sendable {
    let tools: [String: any ToolExecutor]
    let order: [String]

    /// A dispatcher for `tools`, offered in their order; of two tools with one name, the first is kept.
    init(tools: [any ToolExecutor]) {
        self.tools = Dictionary(tools.map { ($0.definition.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.order = tools.map(\.definition.name)
    }

    /// The definitions offered to the model, in registration order.
    var definitions: [ToolDefinition] { order.compactMap { tools[$0]?.definition } }

    /// Where a batch reports progress: called with the state after each step.
    typealias Commit = (RunState) async -> Void

    /// Checks each call of a reply, in order: the batch it starts, with refused calls already answered, and the
    /// parsed, schema-checked arguments of the calls that may run (by call id), so they are not checked again.
    func check(
        _ calls: [ToolCall], refusals: [ToolOutput?], agent: AgentDefinition, budget: Int?,
        repeats: inout RunState.Repeats, maxRepeats: Int, logger: Logger,
        onEvent: @Sendable (RunEvent) async -> Void
    ) async -> (batch: [PendingCall], checked: [String: JSONValue]) {
        var batch: [PendingCall] = []
        var checked: [String: JSONValue] = [:]
        repeats.tripped = nil
        for (position, call) in calls.enumerated() {
            await onEvent(.toolCall(call))
            logger.debug("tool call", metadata: ["tool.name": "\(call.name)", "tool.call_id": "\(call.id)"])
            if let refusal = refusals[position] {
                batch.append(PendingCall(call: call, phase: .done, output: refusal))
                continue
            }
            if let budget, position >= budget {
                batch.append(
                    PendingCall(
                        call: call, phase: .done, output: .error("not executed: the run reached limits.max_tool_calls"))
                )
                continue
            }
            let parsed = Self.parseArguments(call.arguments)
            let signature = call.name + "\u{0}" + ((try? parsed.get())?.serialized(sortedKeys: true) ?? call.arguments)
            repeats.count = signature == repeats.signature ? repeats.count + 1 : 1
            repeats.signature = signature
            if repeats.count >= maxRepeats {
                repeats.tripped = call.name
                batch.append(
                    PendingCall(
                        call: call, phase: .done,
                        output: .error(
                            "not executed: '\(call.name)' was called with the same arguments \(maxRepeats) times in a row"
                        )))
                continue
            }
            switch prepare(call, parsed) {
            case .refused(let refusal):
                batch.append(PendingCall(call: call, phase: .done, output: refusal))
                continue
            case .run(_, let arguments):
                checked[call.id] = arguments
            }
            switch agent.approval.rule(for: call.name) {
            case .allow: batch.append(PendingCall(call: call, phase: .ready))
            case .ask: batch.append(PendingCall(call: call, phase: .approval))
            case .deny:
                batch.append(
                    PendingCall(
                        call: call, phase: .done,
                        output: .error("not executed: the agent's approval policy denies tool '\(call.name)'")))
            }
        }
        return (batch, checked)
    }

    /// Asks for the approval of each call that waits for one, committing each answer; a call left pending keeps
    /// its `approval` phase.
    func approve(
        _ state: inout RunState, agent: AgentDefinition, approver: (any ToolApprover)?, commit: Commit
    ) async {
        guard var batch = state.batch else { return }
        for position in batch.indices where batch[position].phase == .approval {
            let call = batch[position].call
            guard let approver else {
                batch[position].phase = .done
                batch[position].output = .error(
                    "not executed: tool '\(call.name)' needs approval (approval: ask) and there is no terminal to "
                        + "ask on; set its rule to allow for unattended runs")
                continue
            }
            if Task.isCancelled { break }
            switch await approver.decide(call, agent: agent.name) {
            case .approve:
                batch[position].phase = .ready
            case .deny:
                batch[position].phase = .done
                batch[position].output = .error("not executed: the user declined the call to '\(call.name)'")
            case .pending:
                continue
            }
            state.batch = batch
            await commit(state)
        }
        state.batch = batch
    }

    /// Runs the batch's ready calls, committing each start and each result.
    ///
    /// - Parameter checked: Arguments ``check(_:refusals:agent:budget:repeats:maxRepeats:logger:onEvent:)`` parsed
    ///   and validated, by call id; a call without them (a batch read back after a crash) is checked here.
    func execute(
        _ state: inout RunState, checked: [String: JSONValue], agent: AgentDefinition, options: AgentRunner.Options,
        parallel: Bool, commit: Commit
    ) async {
        guard var batch = state.batch else { return }
        let context = { (call: ToolCall) in
            ToolContext(agent: agent.name, runID: options.runID, callID: call.id, workspace: options.workspace)
        }
        func finish(_ position: Int, _ output: ToolOutput, _ duration: Duration?) {
            batch[position].phase = .done
            batch[position].output = output
            batch[position].seconds = duration?.secondsValue
        }
        if parallel {
            var started: [(Int, any ToolExecutor, JSONValue)] = []
            for position in batch.indices where batch[position].phase == .ready {
                switch prepared(batch[position].call, checked) {
                case .run(let executor, let arguments):
                    batch[position].phase = .running
                    started.append((position, executor, arguments))
                case .refused(let refusal): finish(position, refusal, nil)
                }
            }
            state.batch = batch
            if !started.isEmpty { await commit(state) }
            await withTaskGroup(of: (Int, Timed).self) { group in
                for (position, executor, arguments) in started {
                    let callContext = context(batch[position].call)
                    group.addTask { (position, await Self.execute(executor, arguments, callContext)) }
                }
                for await (position, timed) in group {
                    finish(position, timed.output, timed.duration)
                    state.batch = batch
                    await commit(state)
                }
            }
        } else {
            for position in batch.indices where batch[position].phase == .ready {
                guard !Task.isCancelled else { break }
                switch prepared(batch[position].call, checked) {
                case .run(let executor, let arguments):
                    batch[position].phase = .running
                    state.batch = batch
                    await commit(state)
                    let timed = await Self.execute(executor, arguments, context(batch[position].call))
                    finish(position, timed.output, timed.duration)
                case .refused(let refusal):
                    finish(position, refusal, nil)
                }
                state.batch = batch
                await commit(state)
            }
        }
        for position in batch.indices where batch[position].phase != .done {
            finish(position, .error("not executed: the run was cancelled"), nil)
        }
        state.batch = batch
    }

    /// Readies a batch read back after a crash: a call that was running has an unknown outcome, so it runs again
    /// only when its tool is idempotent.
    func recover(_ batch: [PendingCall]) -> [PendingCall] {
        batch.map { pending in
            guard pending.phase == .running else { return pending }
            var recovered = pending
            let name = pending.call.name
            if tools[name]?.definition.idempotent == true {
                recovered.phase = .ready
            } else {
                recovered.phase = .done
                recovered.output = .error(
                    "outcome unknown: the run was interrupted while '\(name)' was running, and it was not run again "
                        + "because '\(name)' is not declared idempotent; check its effect before calling it again")
            }
            return recovered
        }
    }

    /// What a checked call leads to.
    private enum Prepared {
        /// The tool runs on the parsed arguments.
        case run(any ToolExecutor, JSONValue)
        /// An error result answers the call instead.
        case refused(ToolOutput)
    }

    /// The call's tool with the arguments `check` validated, or, without them, `prepare`'s verdict.
    private func prepared(_ call: ToolCall, _ checked: [String: JSONValue]) -> Prepared {
        if let arguments = checked[call.id], let executor = tools[call.name] { return .run(executor, arguments) }
        return prepare(call, Self.parseArguments(call.arguments))
    }

    /// The tool and validated arguments of a call, or the error result that answers it instead.
    private func prepare(_ call: ToolCall, _ parsed: Result<JSONValue, JSONParseError>) -> Prepared {
        guard let executor = tools[call.name] else {
            let available = order.isEmpty ? "none" : order.joined(separator: ", ")
            return .refused(.error("unknown tool '\(call.name)'; available tools: \(available)"))
        }
        let arguments: JSONValue
        switch parsed {
        case .success(let value): arguments = value
        case .failure(let error):
            return .refused(.error("invalid arguments for tool '\(call.name)': not valid JSON (\(error))"))
        }
        let problems = JSONSchemaValidator(schema: executor.definition.parameters).violations(of: arguments)
        if !problems.isEmpty {
            return .refused(.error("invalid arguments for tool '\(call.name)': " + problems.joined(separator: "; ")))
        }
        return .run(executor, arguments)
    }

    /// A call's output and how long the tool ran.
    private struct Timed: Sendable {
        var output: ToolOutput
        var duration: Duration
    }

    private static func execute(_ executor: any ToolExecutor, _ arguments: JSONValue, _ context: ToolContext) async
        -> Timed
    {
        await withSpan("tool.call") { span in
            span.attributes["gen_ai.operation.name"] = "execute_tool"
            span.attributes["gen_ai.tool.name"] = executor.definition.name
            span.attributes["gen_ai.tool.call.id"] = context.callID
            let clock = ContinuousClock()
            let start = clock.now
            let output: ToolOutput
            do {
                try Task.checkCancellation()
                output = try await executor.execute(arguments: arguments, context: context)
            } catch is CancellationError {
                output = .error("not finished: the run was cancelled")
            } catch {
                output = .error("tool '\(executor.definition.name)' failed: \(error)")
            }
            RunSpans.finish(tool: span, output)
            return Timed(output: output, duration: clock.now - start)
        }
    }

    /// Parses a call's arguments; empty text means `{}`.
    static func parseArguments(_ text: String) -> Result<JSONValue, JSONParseError> {
        if text.allSatisfy(\.isWhitespace) { return .success(.object(JSONObject())) }
        do { return .success(try JSONValue.parse(text)) } catch { return .failure(error) }
    }

    /// The arguments as a run result shows them: parsed if valid JSON, else the raw text.
    static func recordedArguments(_ text: String) -> JSONValue {
        (try? parseArguments(text).get()) ?? .string(text)
    }
}
