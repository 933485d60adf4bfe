/// A tool the agent loop can run.
///
/// Built-in tools, plugin hosts and your own Swift types all conform to this one protocol. The runner validates
/// the arguments against ``definition``'s schema before calling ``execute(arguments:context:)``, so an
/// implementation may rely on their shape.
///
/// ```swift
/// struct WordCount: ToolExecutor {
///     let definition = ToolDefinition(
///         name: "word_count", description: "Counts the words in a text",
///         parameters: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]])
///
///     func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
///         let words = arguments["text"]?.stringValue?.split(whereSeparator: \.isWhitespace).count ?? 0
///         return ToolOutput("\(words)")
///     }
/// }
/// ```
public protocol ToolExecutor: Sendable {
    /// The tool's name, description and argument schema.
    var definition: ToolDefinition { get }

    /// Runs the tool once.
    ///
    /// - Parameters:
    ///   - arguments: The call's arguments, already validated against the schema.
    ///   - context: Which agent, run and call this is.
    /// - Returns: The result the model sees. Return `ToolOutput(..., isError: true)` for failures the model
    ///   should read and react to.
    /// - Throws: Any error; the runner turns it into an error result naming the tool, so the run goes on.
    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput
}

/// The result of one tool call, as the model will see it.
public struct ToolOutput: Sendable, Hashable {
    /// The text returned to the model (JSON results are serialised).
    public var content: String
    /// Whether the call failed.
    public var isError: Bool
    /// The agent the conversation goes to after this call (a `transfer_to_<agent>` tool's result).
    public var handoff: String?
    /// Tokens and cost the tool spent on models (an agent called as a tool), added to the run's usage.
    public var usage: Usage?

    /// Creates a result.
    public init(_ content: String, isError: Bool = false) {
        self.content = content
        self.isError = isError
    }

    /// A failed result with a message.
    public static func error(_ message: String) -> ToolOutput { ToolOutput(message, isError: true) }
}

/// Where a tool call happens.
public struct ToolContext: Sendable, Hashable {
    /// The agent that made the call.
    public var agent: String
    /// The run's id.
    public var runID: String
    /// The call's id.
    public var callID: String
    /// The workspace folder the run belongs to, when there is one.
    public var workspace: String?

    /// Creates a context.
    public init(agent: String, runID: String, callID: String, workspace: String? = nil) {
        self.agent = agent
        self.runID = runID
        self.callID = callID
        self.workspace = workspace
    }
}
