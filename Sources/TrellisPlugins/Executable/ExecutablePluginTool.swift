import TrellisConfig
import TrellisCore

/// One tool of an executable plugin: each call spawns the plugin's command, writes the request to its stdin and
/// reads the reply from its stdout (`docs/plugins.md`, protocol 1).
///
/// Every failure (arguments that do not fit the schema, a command that cannot start, a non-zero exit or a
/// signal, a timeout, too much output, a reply that is not JSON, has the wrong shape or answers another call)
/// is an error result naming the plugin, the tool and the cause, followed by the end of the plugin's stderr.
public struct ExecutablePluginTool: ToolExecutor {
    /// The tool's name, description and argument schema.
    public let definition: ToolDefinition
    /// The plugin that runs it.
    public let plugin: ExecutablePlugin

    /// Creates a tool of a plugin; ``ExecutablePlugin/tools()`` makes these for you.
    public init(definition: ToolDefinition, plugin: ExecutablePlugin) {
        self.definition = definition
        self.plugin = plugin
    }

    /// Runs the tool once in a fresh process.
    ///
    /// - Parameters:
    ///   - arguments: The call's arguments; checked against the schema again before anything is spawned.
    ///   - context: The call; `context.workspace` is sent to the plugin and is its working directory unless the
    ///     manifest says otherwise.
    /// - Returns: The plugin's reply, or an error result describing the failure.
    /// - Throws: `CancellationError` when the calling task is cancelled (the process group is killed first).
    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        switch try await call(arguments: arguments, context: context) {
        case .success(let output): return output
        case .failure(let failure): return .error(failure.message(plugin: plugin.manifest.name, tool: definition.name))
        }
    }

    /// Runs the tool once and tells a reply from a protocol failure (`trellis plugin check` needs the difference).
    ///
    /// - Parameter validating: `false` sends arguments the schema refuses (the check's empty call).
    func call(arguments: JSONValue, context: ToolContext, validating: Bool = true) async throws -> Result<
        ToolOutput, PluginFailure
    > {
        let problems = validating ? JSONSchemaValidator(schema: definition.parameters).violations(of: arguments) : []
        guard problems.isEmpty else {
            return .failure(
                PluginFailure("arguments do not match the tool's schema: " + problems.joined(separator: "; ")))
        }
        let process: PluginProcess
        switch plugin.process(workspace: context.workspace, extraArguments: []) {
        case .success(let ready): process = ready
        case .failure(let failure): return .failure(failure)
        }
        let outcome: PluginProcess.Outcome
        do {
            outcome = try await process.run(input: request(arguments: arguments, context: context))
        } catch let failure as PluginProcess.LaunchFailure {
            return .failure(PluginFailure("cannot start \(process.executable): \(failure.reason)"))
        }
        return process.replyObject(of: outcome).flatMap { reply in
            Self.toolOutput(from: reply, callID: context.callID).mapError {
                PluginFailure($0.cause, stderr: outcome.stderr)
            }
        }
    }

    /// The bytes written to the plugin's stdin for a call: one JSON object
    /// `{"protocol", "tool", "call_id", "arguments", "context": {"agent", "run_id", "workspace"}}` and a newline.
    public func request(arguments: JSONValue, context: ToolContext) -> [UInt8] {
        let request: JSONValue = [
            "protocol": .integer(PluginManifest.protocolVersion),
            "tool": .string(definition.name),
            "call_id": .string(context.callID),
            "arguments": arguments,
            "context": [
                "agent": .string(context.agent), "run_id": .string(context.runID),
                "workspace": context.workspace.map { .string($0) } ?? .null,
            ],
        ]
        return Array((request.serialized() + "\n").utf8)
    }

    /// The result a reply object stands for: `content` (text as is, other JSON serialised) and `is_error`.
    static func toolOutput(from reply: JSONObject, callID: String) -> Result<ToolOutput, PluginFailure> {
        if let answered = reply["call_id"], answered != .string(callID) {
            return .failure(
                PluginFailure("replied to call_id \(answered.serialized()), but the call was \"\(callID)\""))
        }
        guard let content = reply["content"] else {
            let keys = reply.keys.isEmpty ? "none" : reply.keys.joined(separator: ", ")
            return .failure(
                PluginFailure(
                    "replied without \"content\" (the reply is {\"content\": ..., \"is_error\": false}; got keys: "
                        + "\(keys))"))
        }
        var isError = false
        if let flag = reply["is_error"], !flag.isNull {
            guard let value = flag.boolValue else {
                return .failure(
                    PluginFailure("replied with \"is_error\": \(flag.serialized()); it must be true or false"))
            }
            isError = value
        }
        return .success(ToolOutput(content.stringValue ?? content.serialized(), isError: isError))
    }
}
