import Logging
import Tracing

/// One run's turn-by-turn state. Created by ``AgentRunner`` for each run; never shared.
struct RunLoop: Sendable {
    /// The agent that answers now, what it talks to and the tools it is offered; a handoff replaces all three.
    struct Current: Sendable {
        var agent: AgentDefinition
        var provider: any ModelProvider
        var dispatcher: ToolDispatcher
    }

    /// The agent whose limits hold for the whole run, across handoffs: the conversation's entry agent.
    let agent: AgentDefinition
    let options: AgentRunner.Options
    let logger: Logger
    let onEvent: @Sendable (RunEvent) async -> Void
    /// Builds what a handoff's target agent runs with; `nil` when no agent can hand off.
    var handOff: (@Sendable (String) async throws -> Current)? = nil

    static let cancelled = RunError(code: "cancelled", message: "the run was cancelled")

    private struct State {
        var current: Current
        var run: RunState
    }

    /// What a turn leads to.
    enum Next: Sendable {
        /// Another model turn.
        case again
        /// The model answered: the run is over.
        case answered
        /// A `transfer_to_<agent>` call: the next turn is that agent's.
        case handOff(to: String)
        /// A limit, a failure or a cancellation ended the run.
        case stopped(RunFinishReason, RunError)
        /// Calls wait for approval: the run parks, resumable.
        case parked
    }

    /// Runs from `state` until the run ends: a new run, or one read back after a crash (a batch whose calls
    /// were cut short is finished first, see ``ToolDispatcher/recover(_:)``).
    func run(from state: RunState, with current: Current) async -> RunResult {
        var state = State(current: current, run: state)
        state.run.status = .running
        await commit(state)
        if let batch = state.run.batch {
            state.run.batch = current.dispatcher.recover(batch)
            if let next = await follow(await finishBatch(&state, checked: [:]), &state) { return next }
        }
        while true {
            if let next = await follow(await turn(&state), &state) { return next }
        }
    }

    /// The result when `next` ends the run; `nil` when the loop goes on.
    private func follow(_ next: Next, _ state: inout State) async -> RunResult? {
        switch next {
        case .again:
            return nil
        case .answered:
            return await finish(&state, .stop, nil)
        case .stopped(let reason, let error):
            return await finish(&state, reason, error)
        case .parked:
            logger.debug("run parked for approval")
            var result = state.run.result
            result.finishReason = .waitingApproval
            return result
        case .handOff(let target):
            if let failure = await switchAgent(to: target, &state) {
                return await finish(&state, failure.0, failure.1)
            }
            return nil
        }
    }

    private func commit(_ state: State) async { await onEvent(.committed(state.run)) }

    /// One model turn and the tool calls of its reply, in a `turn` span.
    private func turn(_ state: inout State) async -> Next {
        if let stop = limitBeforeTurn(state.run) { return stop }
        return await withSpan("turn") { span in
            span.attributes["trellis.turn"] = state.run.turns + 1
            span.attributes["gen_ai.agent.name"] = state.current.agent.name
            span.attributes["gen_ai.request.model"] = state.current.agent.model.description
            return await modelTurn(&state)
        }
    }

    private func modelTurn(_ state: inout State) async -> Next {
        state.run.turns += 1
        await onEvent(.turnStarted(turn: state.run.turns))
        logger.debug("turn started", metadata: ["agent.turn": "\(state.run.turns)"])

        let response: ModelResponse
        do {
            response = try await callModel(request(for: state), provider: state.current.provider)
        } catch {
            if error is CancellationError || Task.isCancelled { return .stopped(.cancelled, Self.cancelled) }
            if let error = error as? ProviderError {
                return .stopped(.error, RunError(code: error.shortDescription, message: error.description))
            }
            return .stopped(.error, RunError(code: "provider_error", message: "\(error)"))
        }
        if let usage = response.usage {
            state.run.usage = (state.run.usage ?? Usage()) + usage
            state.run.lastCost = usage.cost ?? 0
            await onEvent(.usage(usage))
        }
        state.run.model = response.source ?? state.current.agent.model.description
        let check = ToolCallCheck(
            response.message.toolCalls, tools: state.current.dispatcher.order,
            maxPerTurn: agent.limits.maxToolCallsPerTurn, logger: logger)
        var message = response.message
        message.toolCalls = check.calls
        state.run.transcript.append(message)
        let text = message.text
        if !text.isEmpty { state.run.output = text }
        let calls = check.calls

        if let stop = await stopForFinishReason(response, calls: calls, &state) { return stop }
        if calls.isEmpty {
            state.run.output = text
            return .answered
        }
        if let maxTokens = agent.limits.maxTokens, let used = state.run.usage?.totalTokens, used >= maxTokens {
            await closeUnrun(calls, &state, reason: "the run's token budget is spent")
            return .stopped(
                .maxTokens,
                RunError(code: "max_tokens", message: "used \(used) tokens, limits.max_tokens is \(maxTokens)"))
        }
        let limits = agent.limits
        let dispatcher = state.current.dispatcher
        let (batch, checked) = await dispatcher.check(
            calls, refusals: check.refusals, agent: state.current.agent,
            budget: limits.maxToolCalls.map { max(0, $0 - state.run.toolCalls.count) },
            repeats: &state.run.repeats, maxRepeats: limits.maxRepeatedCalls, logger: logger, onEvent: onEvent)
        state.run.batch = batch
        await commit(state)
        return await finishBatch(&state, checked: checked)
    }

    /// The limit that stops the run before another model call: cancellation, turns, or a cost the next call
    /// would pass.
    private func limitBeforeTurn(_ state: RunState) -> Next? {
        let limits = agent.limits
        if Task.isCancelled { return .stopped(.cancelled, Self.cancelled) }
        if state.turns >= limits.maxTurns {
            return .stopped(
                .maxTurns,
                RunError(
                    code: "max_turns", message: "reached limits.max_turns (\(limits.maxTurns)) without a final answer"))
        }
        if let maxCost = limits.maxCost, let spent = state.usage?.cost, spent + state.lastCost > maxCost {
            return .stopped(
                .maxCost,
                RunError(
                    code: "max_cost",
                    message:
                        "spent \(Self.money(spent)); the next model call (about \(Self.money(state.lastCost))) "
                        + "would pass limits.max_cost (\(Self.money(maxCost)))"))
        }
        return nil
    }

    /// A reply cut off, withheld or failed ends the run; its calls get results saying why they did not run.
    private func stopForFinishReason(_ response: ModelResponse, calls: [ToolCall], _ state: inout State) async
        -> Next?
    {
        switch response.finishReason {
        case .length:
            await closeUnrun(calls, &state, reason: "the reply was cut off by the model's token limit")
            return .stopped(
                .length,
                RunError(
                    code: "length", message: "the model's reply was cut off by its token limit (finish_reason length)"))
        case .contentFilter:
            await closeUnrun(calls, &state, reason: "the reply was withheld by the provider's content filter")
            return .stopped(
                .contentFilter,
                RunError(code: "content_filter", message: "the provider's content filter withheld the reply"))
        case .error where calls.isEmpty:
            return .stopped(
                .error,
                RunError(
                    code: "provider_finish_error",
                    message: "the provider ended the reply with '\(response.rawFinishReason ?? "error")'"))
        default:
            return nil
        }
    }

    /// Asks the batch's approvals, runs its calls, appends one result per call, and decides what follows.
    private func finishBatch(_ state: inout State, checked: [String: JSONValue]) async -> Next {
        let current = state.current
        let save: ToolDispatcher.Commit = { run in await onEvent(.committed(run)) }
        await current.dispatcher.approve(&state.run, agent: current.agent, approver: options.approver, commit: save)
        if state.run.batch?.contains(where: { $0.phase == .approval }) == true, !Task.isCancelled {
            await commit(state)
            return .parked
        }
        await current.dispatcher.execute(
            &state.run, checked: checked, agent: current.agent, options: options,
            parallel: current.agent.parallelToolCalls,
            commit: save)
        let batch = state.run.batch ?? []
        state.run.batch = nil
        let results = batch.map { ($0.call, $0.output ?? .error("not executed: the run was cancelled")) }
        for (pending, (call, output)) in zip(batch, results) {
            await onEvent(.toolResult(call: call, output: output, duration: pending.seconds.map { .seconds($0) }))
        }
        append(results, &state)
        for (_, output) in results {
            if let spent = output.usage { state.run.usage = (state.run.usage ?? Usage()) + spent }
        }
        await commit(state)
        return next(after: results, &state)
    }

    /// What follows a batch's results: a handoff, a stop tool's answer, a limit, or another turn.
    private func next(after results: [(ToolCall, ToolOutput)], _ state: inout State) -> Next {
        let limits = agent.limits
        if Task.isCancelled { return .stopped(.cancelled, Self.cancelled) }
        if let target = results.lazy.compactMap({ $0.1.handoff }).first, handOff != nil {
            return .handOff(to: target)
        }
        let stopAt = state.current.agent.stopAtTools
        if let stop = results.first(where: { stopAt.contains($0.0.name) && !$0.1.isError }) {
            state.run.output = stop.1.content
            return .answered
        }
        // Calls past the budget were answered without running, so the records outnumber it.
        if let maxCalls = limits.maxToolCalls, state.run.toolCalls.count > maxCalls {
            return .stopped(
                .maxToolCalls, RunError(code: "max_tool_calls", message: "reached limits.max_tool_calls (\(maxCalls))"))
        }
        if let repeated = state.run.repeats.tripped {
            return .stopped(
                .repeatedToolCall,
                RunError(
                    code: "repeated_tool_call",
                    message:
                        "'\(repeated)' was called with the same arguments \(limits.maxRepeatedCalls) times in a row"
                ))
        }
        return .again
    }

    /// Goes on with `target`'s prompt, model and tools; the reason the run ends when the agent cannot be built.
    private func switchAgent(to target: String, _ state: inout State) async -> (RunFinishReason, RunError)? {
        guard let handOff else { return nil }
        do {
            let next = try await handOff(target)
            await onEvent(.handedOff(from: state.current.agent.name, to: next.agent.name))
            logger.debug("handed off", metadata: ["agent.handoff.to": "\(next.agent.name)"])
            Self.replaceSystemPrompt(in: &state.run.transcript, with: next.agent.system)
            state.current = next
            state.run.agent = next.agent.name
            await commit(state)
            return nil
        } catch {
            if error is CancellationError || Task.isCancelled { return (.cancelled, Self.cancelled) }
            let resolution = error as? AgentResolutionError
            return (
                .error,
                RunError(
                    code: resolution?.code ?? "agent_setup",
                    message: "handoff to '\(target)' failed: \(resolution?.message ?? "\(error)")")
            )
        }
    }

    private func request(for state: State) -> ModelRequest {
        let agent = state.current.agent
        let definitions = state.current.dispatcher.definitions
        return ModelRequest(
            model: agent.model.name, messages: state.run.transcript, tools: definitions,
            toolChoice: definitions.isEmpty ? nil : agent.toolChoice(forTurn: state.run.turns),
            parallelToolCalls: definitions.isEmpty || agent.parallelToolCalls ? nil : false,
            options: agent.model.options)
    }

    /// The conversation stays; only the system prompt becomes the new agent's (or goes, when it has none).
    static func replaceSystemPrompt(in transcript: inout [ChatMessage], with system: String?) {
        if transcript.first?.role == .system { transcript.removeFirst() }
        if let system, !system.isEmpty { transcript.insert(.system(system), at: 0) }
    }

    /// Calls the model in a `model.call` span.
    private func callModel(_ request: ModelRequest, provider: any ModelProvider) async throws -> ModelResponse {
        try await withSpan("model.call", ofKind: .client) { span in
            span.attributes["gen_ai.operation.name"] = "chat"
            span.attributes["gen_ai.request.model"] = request.model
            span.attributes["trellis.model.streamed"] = options.stream
            let response = try await reply(to: request, provider: provider)
            RunSpans.finish(model: span, response)
            return response
        }
    }

    private func reply(to request: ModelRequest, provider: any ModelProvider) async throws -> ModelResponse {
        guard options.stream else {
            let response = try await provider.complete(request)
            if let reasoning = response.message.reasoning, !reasoning.isEmpty {
                await onEvent(.reasoningDelta(reasoning))
            }
            return response
        }
        do {
            for try await event in provider.stream(request) {
                switch event {
                case .textDelta(let text): await onEvent(.textDelta(text))
                case .reasoningDelta(let text): await onEvent(.reasoningDelta(text))
                case .completed(let response): return response
                case .toolCallDelta, .providerExtra: break
                }
            }
        } catch let error as ProviderError where error.isStreamRefused {
            logger.info("\(error.description); sending the request unstreamed")
            let response = try await provider.complete(request)
            if let reasoning = response.message.reasoning, !reasoning.isEmpty {
                await onEvent(.reasoningDelta(reasoning))
            }
            if !response.message.text.isEmpty { await onEvent(.textDelta(response.message.text)) }
            return response
        }
        try Task.checkCancellation()
        throw ProviderError.truncatedStream(
            provider: request.model, message: "the stream ended without a reply")
    }

    /// Answers calls that will not run, so the transcript keeps one result per call.
    private func closeUnrun(_ calls: [ToolCall], _ state: inout State, reason: String) async {
        let results = calls.map { ($0, ToolOutput.error("not executed: \(reason)")) }
        for (call, output) in results {
            await onEvent(.toolCall(call))
            await onEvent(.toolResult(call: call, output: output, duration: nil))
        }
        append(results, &state)
    }

    private func append(_ results: [(ToolCall, ToolOutput)], _ state: inout State) {
        for (call, output) in results {
            state.run.transcript.append(.tool(callID: call.id, name: call.name, content: output.content))
            state.run.toolCalls.append(
                ToolCallRecord(
                    id: call.id, name: call.name, arguments: ToolDispatcher.recordedArguments(call.arguments),
                    isError: output.isError, content: output.content))
        }
    }

    /// Ends the run: the state is committed as finished and becomes the result.
    private func finish(_ state: inout State, _ reason: RunFinishReason, _ error: RunError?) async -> RunResult {
        var reason = reason
        var error = error
        if reason == .cancelled, let deadline = RunDeadline.current, deadline.hasPassed {
            reason = .timeout
            error = deadline.error
        }
        logger.debug("run finished", metadata: ["agent.finish_reason": "\(reason.rawValue)"])
        state.run.status = .finished
        state.run.finishReason = reason
        state.run.error = error
        state.run.agent = state.current.agent.name
        await commit(state)
        return state.run.result
    }

    /// A cost for messages: up to six decimals, no trailing zeros.
    static func money(_ value: Double) -> String { Usage.costText(value) }
}
