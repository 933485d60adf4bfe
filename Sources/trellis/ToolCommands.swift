import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins

extension Trellis {
    /// `trellis tools [AGENT]`.
    struct Tools: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "tools",
            abstract: "List every tool the workspace offers, or an agent's tools, with where each comes from.",
            discussion: """
                SOURCE is builtin, plugin:NAME (plugins/NAME/plugin.yaml) or mcp:NAME (mcp_servers in \
                trellis.yaml); an agent's list also shows handoff:AGENT (transfer_to_AGENT, from handoffs:) and \
                agent:AGENT (another agent called as a tool). MCP servers are started to ask for their tools.
                """)

        @OptionGroup var workspace: WorkspaceOptions

        @Argument(help: "An agent name or file; without it, every tool of the workspace is listed.")
        var agent: String?

        func run() async throws {
            let extra = agent.map { WorkspaceOptions.isPath($0) ? [$0] : [] } ?? []
            let loaded = try workspace.load(extraAgentFiles: extra)
            let header = ["TOOL", "SOURCE", "DESCRIPTION"]
            if let agent {
                let file = try workspace.agent(agent, in: loaded)
                var rows = try await workspace.withTools(for: file, in: loaded) { tools in
                    tools.map { [$0.executor.definition.name, $0.source, $0.executor.definition.description] }
                }
                let describe = { (name: String) in (try? loaded.agent(named: name))?.definition.description ?? "" }
                rows += file.definition.handoffs.map {
                    [
                        AgentDefinition.handoffToolName(for: $0), "handoff:\($0)",
                        "Hand the conversation to \($0). " + describe($0),
                    ]
                }
                rows += file.definition.agentTools.map {
                    [AgentDefinition.agentToolName(for: $0), "agent:\($0)", describe($0)]
                }
                Output.out(Table.render(header: header, rows: rows))
                return
            }
            let problems = try await ToolCatalog.with(loaded, options: workspace) { catalog in
                Output.out(
                    Table.render(
                        header: header,
                        rows: catalog.entries.map { [$0.name, $0.source, $0.executor.definition.description] }))
                return catalog.problems
            }
            for problem in problems { Output.error(problem) }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    /// `trellis tool call NAME --args JSON`.
    struct Tool: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "tool",
            abstract: "Work with one tool directly.", subcommands: [Call.self])

        /// `trellis tool call`.
        struct Call: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "call",
                abstract: "Call one tool with JSON arguments and print its result.",
                discussion: """
                    NAME is a built-in tool (clock), a plugin's or MCP server's tool (convert), or qualified by its \
                    source (units/convert, time/get_current_time) when names clash. The arguments are checked \
                    against the tool's schema first. Exit status: 0 for a result, 1 when the tool reports an \
                    error, 2 for bad usage (unknown tool, invalid arguments).
                    """)

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "The tool: NAME or SOURCE/NAME.")
            var name: String

            @Option(name: .customLong("args"), help: ArgumentHelp("The arguments, a JSON object.", valueName: "json"))
            var arguments: String = "{}"

            @Flag(help: "Print {\"tool\", \"source\", \"content\", \"is_error\"} as one JSON object.")
            var json = false

            func run() async throws {
                let parsed: JSONValue
                do {
                    parsed = try JSONValue.parse(arguments)
                } catch {
                    throw CLIFailure.invalid("--args is not valid JSON: \(error)")
                }
                guard case .object = parsed else { throw CLIFailure.invalid("--args must be a JSON object") }
                let loaded = try workspace.load()
                let output = try await ToolCatalog.with(loaded, options: workspace, wanted: name) { catalog in
                    try await call(
                        try catalog.entry(named: name), arguments: parsed,
                        workspace: WorkspaceOptions.absolute(loaded.root))
                }
                if output.isError { throw ExitCode(1) }
            }

            private func call(
                _ entry: ToolCatalog.Entry, arguments parsed: JSONValue, workspace root: String
            ) async throws -> ToolOutput {
                let problems = JSONSchemaValidator(schema: entry.executor.definition.parameters).violations(of: parsed)
                guard problems.isEmpty else {
                    throw CLIFailure.invalid(
                        "invalid arguments for tool '\(name)': " + problems.joined(separator: "; "))
                }
                let context = ToolContext(
                    agent: "cli", runID: AgentRunner.makeRunID(), callID: "call_cli", workspace: root)
                let output: ToolOutput
                do {
                    output = try await entry.executor.execute(arguments: parsed, context: context)
                } catch is CancellationError {
                    output = .error("tool '\(name)' did not finish: the call was cancelled")
                } catch {
                    output = .error("tool '\(name)' failed: \(error)")
                }
                if json {
                    let result: JSONValue = [
                        "tool": .string(entry.name), "source": .string(entry.source),
                        "content": .string(output.content),
                        "is_error": .bool(output.isError),
                    ]
                    Output.out(result.serialized() + "\n")
                } else {
                    Output.out(output.content + (output.content.hasSuffix("\n") ? "" : "\n"))
                }
                return output
            }
        }
    }
}
