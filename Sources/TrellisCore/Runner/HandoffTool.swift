/// The `transfer_to_<agent>` tool of a handoff (`handoffs: [billing]`), named as the OpenAI Agents SDK names them.
///
/// Calling it answers `{"assistant": "billing"}`, so the transcript keeps one result per call for every provider,
/// and marks the result with ``ToolOutput/handoff``: after the turn's calls the loop goes on with that agent's
/// system prompt, model, tools and approval rules, on the same conversation and under the same run limits.
struct HandoffTool: ToolExecutor {
    let target: String
    let definition: ToolDefinition

    init(target: String, description: String?) {
        self.target = target
        self.definition = ToolDefinition(
            name: Self.name(for: target),
            description: "Hand the conversation to the \(target) agent to handle the request."
                + (description.map { " \($0)" } ?? ""),
            parameters: ["type": "object", "properties": [:], "additionalProperties": false])
    }

    /// `transfer_to_` and the agent's name in lower case, with anything but letters, digits, `_` and `-` as `_`.
    static func name(for agent: String) -> String {
        "transfer_to_"
            + String(agent.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" })
    }

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        var output = ToolOutput(JSONValue.object(["assistant": .string(target)]).serialized())
        output.handoff = target
        return output
    }
}

/// An agent called as a tool (`tools: [{agent: researcher}]`): it runs on the `input` the model gives, under its own
/// limits, and its answer is the result. Its usage is added to the caller's; its events arrive as
/// ``RunEvent/nested(agent:_:)``. Calls nest at most ``maxDepth`` deep.
struct AgentTool: ToolExecutor {
    /// How deep agents may call agents.
    static let maxDepth = 4

    let agent: AgentDefinition
    let runner: AgentRunner
    let options: AgentRunner.Options
    let onEvent: @Sendable (RunEvent) async -> Void
    let definition: ToolDefinition

    init(
        agent: AgentDefinition, runner: AgentRunner, options: AgentRunner.Options,
        onEvent: @escaping @Sendable (RunEvent) async -> Void
    ) {
        self.agent = agent
        self.runner = runner
        self.options = options
        self.onEvent = onEvent
        self.definition = ToolDefinition(
            name: Self.name(for: agent.name),
            description: agent.description ?? "Ask the \(agent.name) agent; it answers the input you give it.",
            parameters: [
                "type": "object",
                "properties": [
                    "input": ["type": "string", "description": .string("What to ask the \(agent.name) agent")]
                ],
                "required": ["input"],
            ])
    }

    /// The agent's name with anything but letters, digits, `_` and `-` as `_`.
    static func name(for agent: String) -> String {
        String(agent.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        guard runner.depth < Self.maxDepth else {
            return .error("agent '\(agent.name)' was not called: agents call agents at most \(Self.maxDepth) deep")
        }
        let input = arguments["input"]?.stringValue ?? ""
        var nested = options
        nested.stream = false
        nested.runID = context.runID + "." + context.callID
        let events = onEvent
        let name = agent.name
        let result = await runner.run(agent, input: input, options: nested) { event in
            await events(.nested(agent: name, event))
        }
        var output =
            result.finishReason.isSuccess
            ? ToolOutput(result.output)
            : .error(
                "agent '\(agent.name)' did not answer (\(result.finishReason.rawValue)): "
                    + (result.error?.message ?? "no reason given"))
        output.usage = result.usage
        return output
    }
}

extension AgentDefinition {
    /// The tool a handoff to `agent` is offered as: `transfer_to_billing`.
    public static func handoffToolName(for agent: String) -> String { HandoffTool.name(for: agent) }

    /// The tool an agent called as a tool is offered as: its name, with characters tool names cannot hold as `_`.
    public static func agentToolName(for agent: String) -> String { AgentTool.name(for: agent) }
}
