import Logging

/// Checks and runs one reply's tool calls, and turns every failure into an error result.
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

    /// Counts consecutive identical calls (same tool, same canonical arguments) across turns.
    struct RepeatBreaker: Sendable {
        var lastSignature: String?
        var count = 0

        /// Records a call and returns how many times in a row it has now been made.
        mutating func record(_ signature: String) -> Int {
            count = signature == lastSignature ? count + 1 : 1
            lastSignature = signature
            return count
        }
    }

    struct Batch {
        /// One result per call, in call order.
        var results: [(ToolCall, ToolOutput)]
        var budgetExhausted = false
        /// The name of a tool that tripped the repeat breaker.
        var repeatedCall: String?
    }

    private enum Plan {
        case run(any ToolExecutor, JSONValue)
        case done(ToolOutput)
    }

    func dispatch(
        _ calls: [ToolCall], refusals: [ToolOutput?], agent: AgentDefinition, options: AgentRunner.Options,
        parallel: Bool, budget: Int?,
        breaker: inout RepeatBreaker, maxRepeats: Int, logger: Logger,
        onEvent: @Sendable (RunEvent) async -> Void
    ) async -> Batch {
        var batch = Batch(results: [])
        var plans: [Plan] = []
        for (position, call) in calls.enumerated() {
            await onEvent(.toolCall(call))
            logger.debug("tool call", metadata: ["tool.name": "\(call.name)", "tool.call_id": "\(call.id)"])
            if let refusal = refusals[position] {
                plans.append(.done(refusal))
                continue
            }
            if let budget, position >= budget {
                batch.budgetExhausted = true
                plans.append(.done(.error("not executed: the run reached limits.max_tool_calls")))
                continue
            }
            let parsed = Self.parseArguments(call.arguments)
            let signature = call.name + "\u{0}" + ((try? parsed.get())?.serialized(sortedKeys: true) ?? call.arguments)
            if breaker.record(signature) >= maxRepeats {
                batch.repeatedCall = call.name
                plans.append(
                    .done(
                        .error(
                            "not executed: '\(call.name)' was called with the same arguments \(maxRepeats) times in a row"
                        )))
                continue
            }
            plans.append(await approved(plan(call, parsed), call, agent: agent, approver: options.approver))
        }

        let context = { (call: ToolCall) in
            ToolContext(agent: agent.name, runID: options.runID, callID: call.id, workspace: options.workspace)
        }
        var outputs = [ToolOutput?](repeating: nil, count: calls.count)
        var durations = [Duration?](repeating: nil, count: calls.count)
        if parallel {
            await withTaskGroup(of: (Int, Timed).self) { group in
                for (position, plan) in plans.enumerated() {
                    switch plan {
                    case .done(let output):
                        outputs[position] = output
                    case .run(let executor, let arguments):
                        let callContext = context(calls[position])
                        group.addTask { (position, await Self.execute(executor, arguments, callContext)) }
                    }
                }
                for await (position, timed) in group {
                    outputs[position] = timed.output
                    durations[position] = timed.duration
                }
            }
        } else {
            for (position, plan) in plans.enumerated() {
                switch plan {
                case .done(let output): outputs[position] = output
                case .run(let executor, let arguments):
                    let timed = await Self.execute(executor, arguments, context(calls[position]))
                    outputs[position] = timed.output
                    durations[position] = timed.duration
                }
            }
        }
        for (position, call) in calls.enumerated() {
            let output = outputs[position] ?? .error("not executed: the run was cancelled")
            batch.results.append((call, output))
            await onEvent(.toolResult(call: call, output: output, duration: durations[position]))
        }
        return batch
    }

    private func plan(_ call: ToolCall, _ parsed: Result<JSONValue, JSONParseError>) -> Plan {
        guard let executor = tools[call.name] else {
            let available = order.isEmpty ? "none" : order.joined(separator: ", ")
            return .done(.error("unknown tool '\(call.name)'; available tools: \(available)"))
        }
        let arguments: JSONValue
        switch parsed {
        case .success(let value): arguments = value
        case .failure(let error):
            return .done(.error("invalid arguments for tool '\(call.name)': not valid JSON (\(error))"))
        }
        let problems = JSONSchemaValidator(schema: executor.definition.parameters).violations(of: arguments)
        if !problems.isEmpty {
            return .done(.error("invalid arguments for tool '\(call.name)': " + problems.joined(separator: "; ")))
        }
        return .run(executor, arguments)
    }

    /// Applies the agent's approval policy to a call that is otherwise ready to run.
    private func approved(_ plan: Plan, _ call: ToolCall, agent: AgentDefinition, approver: (any ToolApprover)?) async
        -> Plan
    {
        guard case .run = plan else { return plan }
        switch agent.approval.rule(for: call.name) {
        case .allow:
            return plan
        case .deny:
            return .done(.error("not executed: the agent's approval policy denies tool '\(call.name)'"))
        case .ask:
            guard let approver else {
                return .done(
                    .error(
                        "not executed: tool '\(call.name)' needs approval (approval: ask) and there is no terminal to "
                            + "ask on; set its rule to allow for unattended runs"))
            }
            if await approver.approve(call, agent: agent.name) { return plan }
            return .done(.error("not executed: the user declined the call to '\(call.name)'"))
        }
    }

    /// A call's output and how long the tool ran.
    private struct Timed: Sendable {
        var output: ToolOutput
        var duration: Duration
    }

    private static func execute(_ executor: any ToolExecutor, _ arguments: JSONValue, _ context: ToolContext) async
        -> Timed
    {
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
        return Timed(output: output, duration: clock.now - start)
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
