import ArgumentParser
import Foundation
import Synchronization
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders

extension Trellis {
    /// `trellis run AGENT [INPUT]`.
    struct Run: TrellisCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an agent on one input and print its answer.",
            discussion: """
                AGENT is an agent name in the workspace or a path to an agent file. INPUT is read from standard \
                input when omitted. Exit status: 0 when the agent answered, 1 when the run failed (provider \
                error after retries, a limit reached), 2 for bad usage or invalid definitions.
                """)

        @OptionGroup var workspace: WorkspaceOptions

        @Argument(help: "Agent name or path to an agent YAML file.")
        var agent: String

        @Argument(help: "The input; read from standard input when omitted.")
        var input: String?

        @Flag(help: "Print the run result as one JSON object.")
        var json = false

        @Flag(help: "Print the answer as it arrives.")
        var stream = false

        @Flag(name: .shortAndLong, help: "Show turns and tool calls on standard error.")
        var verbose = false

        @Option(name: .customShort("p"), help: ArgumentHelp("Set an agent parameter.", valueName: "key=value"))
        var params: [String] = []

        @Option(
            help: ArgumentHelp(
                "Attach an image to the input: a local file (sent as a base64 data URI) or an http(s) URL.",
                valueName: "file-or-url"))
        var image: [String] = []

        func run() async throws {
            let extra = WorkspaceOptions.isPath(agent) ? [agent] : []
            let loaded = try workspace.load(extraAgentFiles: extra)
            let file = try workspace.agent(agent, in: loaded)
            let definition: AgentDefinition
            do {
                definition = try file.resolved(params: try parsedParams())
            } catch let error as DefinitionError {
                throw CLIFailure.invalid(error.description)
            }
            let provider = try workspace.provider(for: definition, in: loaded)
            let text = try readInput()
            let images: [ContentPart]
            do {
                images = try image.map { try ImageAttachment.part(from: $0) }
            } catch {
                throw CLIFailure.invalid("--image: \(error)")
            }

            let printer = EventPrinter(verbose: verbose, stream: stream && !json)
            let input = [ContentPart.text(text)] + images
            let options = AgentRunner.Options(
                stream: stream, workspace: WorkspaceOptions.absolute(loaded.root),
                approver: TerminalApprover.ifAvailable())
            let result = try await workspace.withTools(for: file, in: loaded) { tools in
                let runner = AgentRunner(provider: provider, tools: tools.map(\.executor))
                return await runner.run(definition, input: input, options: options) { event in printer.print(event) }
            }
            if json {
                Output.out(result.json.serialized() + "\n")
            } else if !result.output.isEmpty {
                Output.out(stream ? "\n" : result.output + (result.output.hasSuffix("\n") ? "" : "\n"))
            }
            if let error = result.error {
                Output.error(error.message)
            }
            if !result.finishReason.isSuccess { throw ExitCode(1) }
        }

        private func parsedParams() throws -> [String: String] {
            var values: [String: String] = [:]
            for item in params {
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                    throw CLIFailure.invalid("-p expects key=value, got '\(item)'")
                }
                values[String(item[..<equals])] = String(item[item.index(after: equals)...])
            }
            return values
        }

        private func readInput() throws -> String {
            if let input { return input }
            if isatty(STDIN_FILENO) == 1 {
                throw CLIFailure.invalid("no input: pass INPUT or pipe it on standard input")
            }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            let text = String(decoding: data, as: UTF8.self)
            guard !text.allSatisfy(\.isWhitespace) else {
                throw CLIFailure.invalid("the input on standard input is empty")
            }
            return text
        }
    }
}

/// Prints run events: streamed text on stdout, and with `-v` turns and tool calls on stderr.
struct EventPrinter: Sendable {
    let verbose: Bool
    let stream: Bool

    func print(_ event: RunEvent) {
        switch event {
        case .textDelta(let text) where stream:
            Output.out(text)
        case .reasoningDelta(let text) where verbose:
            // Without streaming a reply's reasoning arrives whole: give it its own line.
            Output.err(stream || text.hasSuffix("\n") ? text : text + "\n")
        case .turnStarted(let turn) where verbose:
            Output.err("· turn \(turn)\n")
        case .toolCall(let call) where verbose:
            Output.err("→ \(call.name) \(call.arguments)\n")
        case .toolResult(let call, let output, _) where verbose:
            let flat = output.content.split(whereSeparator: \.isNewline).joined(separator: " ")
            let shown = flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
            Output.err("\(output.isError ? "✗" : "←") \(call.name): \(shown)\n")
        case .usage(let usage) where verbose:
            Output.err("· tokens: \(usage.inputTokens) in, \(usage.outputTokens) out\n")
        case .finished(let result) where verbose:
            Output.err("· finished: \(result.finishReason.rawValue) after \(result.turns) turn(s)\n")
        default:
            break
        }
    }
}
