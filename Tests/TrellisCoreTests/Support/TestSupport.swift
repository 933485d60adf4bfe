import Synchronization
import Testing
import TrellisCore
import TrellisTesting

// Shared fixtures for the agent-loop suites: a test agent, small tools, an event recorder and the transcript
// invariant check.

typealias Step = ScriptedModelProvider.Step

/// An agent on a fake provider with the given loop settings.
func testAgent(
    name: String = "tester",
    system: String? = nil,
    toolChoice: ToolChoice? = nil,
    toolChoices: [ToolChoice] = [],
    stopAtTools: [String] = [],
    parallelToolCalls: Bool = true,
    limits: RunLimits = RunLimits()
) -> AgentDefinition {
    AgentDefinition(
        name: name, model: ModelReference(provider: "p", name: "scripted-model"), system: system,
        toolChoices: toolChoice.map { [$0] } ?? toolChoices, stopAtTools: stopAtTools,
        parallelToolCalls: parallelToolCalls, limits: limits)
}

/// Runs `agent` with a scripted provider and returns the result together with the provider, for its requests.
func runScript(
    _ steps: [Step],
    tools: [any ToolExecutor] = [],
    agent: AgentDefinition = testAgent(),
    input: String = "hello",
    options: AgentRunner.Options = AgentRunner.Options(),
    events: EventRecorder? = nil
) async -> (result: RunResult, provider: ScriptedModelProvider) {
    let provider = ScriptedModelProvider(steps)
    let runner = AgentRunner(provider: provider, tools: tools)
    let result = await runner.run(agent, input: input, options: options) { event in events?.record(event) }
    return (result, provider)
}

/// Thread-safe log of what a tool was called with.
final class CallLog: Sendable {
    private let storage = Mutex<[(arguments: JSONValue, context: ToolContext)]>([])

    func record(_ arguments: JSONValue, _ context: ToolContext) { storage.withLock { $0.append((arguments, context)) } }

    var count: Int { storage.withLock { $0.count } }
    var arguments: [JSONValue] { storage.withLock { $0.map(\.arguments) } }
    var contexts: [ToolContext] { storage.withLock { $0.map(\.context) } }
}

/// `echo`: returns `echo: <text>`.
struct EchoTool: ToolExecutor {
    let log = CallLog()
    var name = "echo"

    var definition: ToolDefinition {
        ToolDefinition(
            name: name, description: "Echoes its text",
            parameters: ["type": "object", "properties": ["text": ["type": "string"]]])
    }

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        log.record(arguments, context)
        return ToolOutput("echo: \(arguments["text"]?.stringValue ?? "")")
    }
}

struct ToolBlewUp: Error, CustomStringConvertible {
    var description: String { "the disk is on fire" }
}

/// `explode`: always throws ``ToolBlewUp``.
struct ThrowingTool: ToolExecutor {
    let log = CallLog()
    let definition = ToolDefinition(name: "explode", description: "Always fails")

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        log.record(arguments, context)
        throw ToolBlewUp()
    }
}

/// `sleeper`: sleeps far longer than any test should take, honouring cancellation.
struct SleepingTool: ToolExecutor {
    let log = CallLog()
    let definition = ToolDefinition(name: "sleeper", description: "Sleeps for a minute")

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        log.record(arguments, context)
        try await Task.sleep(for: .seconds(60))
        return ToolOutput("woke up")
    }
}

/// Thread-safe list of run events, in arrival order.
final class EventRecorder: Sendable {
    private let storage = Mutex<[RunEvent]>([])

    func record(_ event: RunEvent) { storage.withLock { $0.append(event) } }

    var events: [RunEvent] { storage.withLock { $0 } }
}

extension ModelRequest {
    /// The last message of the request's transcript.
    var lastMessage: ChatMessage? { messages.last }

    /// The tool messages at the end of the transcript (the results the model is about to read).
    var trailingToolMessages: [ChatMessage] { Array(messages.reversed().prefix { $0.role == .tool }.reversed()) }
}

extension RunResult {
    /// The tool messages of the transcript, in order.
    var toolMessages: [ChatMessage] { transcript.filter { $0.role == .tool } }
}

/// Checks the transcript invariant: right after each assistant message with tool calls comes exactly one tool
/// message per call, in call order, naming the call's id and tool; no tool message appears anywhere else.
func expectEveryCallAnsweredOnce(_ transcript: [ChatMessage], sourceLocation: SourceLocation = #_sourceLocation) {
    var index = 0
    while index < transcript.count {
        let message = transcript[index]
        index += 1
        if message.role == .tool {
            Issue.record(
                "tool message \(message.toolCallID ?? "nil") does not follow an assistant tool call",
                sourceLocation: sourceLocation)
            continue
        }
        guard message.role == .assistant, !message.toolCalls.isEmpty else { continue }
        var answers: [ChatMessage] = []
        while index < transcript.count, transcript[index].role == .tool {
            answers.append(transcript[index])
            index += 1
        }
        #expect(
            answers.map(\.toolCallID) == message.toolCalls.map(\.id),
            "each call id answered once, in order", sourceLocation: sourceLocation)
        #expect(answers.map(\.toolName) == message.toolCalls.map(\.name), sourceLocation: sourceLocation)
    }
}
