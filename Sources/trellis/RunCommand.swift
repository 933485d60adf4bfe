import ArgumentParser
import AsyncHTTPClient
import Foundation
import Synchronization
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders
import TrellisRuntime

extension Trellis {
    /// `trellis run AGENT [INPUT]`.
    struct Run: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an agent on one input and print its answer.",
            discussion: """
                AGENT is an agent name in the workspace or a path to an agent file (which then runs in its own \
                workspace). INPUT is read from standard input when omitted, without its final line break. \
                Progress goes to standard error (see docs/run.md). Exit status: 0 when the agent answered, 1 when the run failed (provider \
                error after retries, a limit reached), 2 for bad usage or invalid definitions.
                """)

        @OptionGroup var workspace: WorkspaceOptions

        @OptionGroup var sessions: SessionOptions

        @Argument(help: "Agent name or path to an agent YAML file.")
        var agent: String

        @Argument(help: "The input; read from standard input when omitted.")
        var input: String?

        @Flag(help: "Print the run result as one JSON object, also when the run cannot start.")
        var json = false

        @Flag(help: "Print the answer as it arrives.")
        var stream = false

        @Flag(name: .shortAndLong, help: "Also show turns, each call as it is made, results and tokens.")
        var verbose = false

        @Flag(name: .shortAndLong, help: "Show no progress on standard error (errors still show).")
        var quiet = false

        @Option(
            help: ArgumentHelp(
                "Use this model instead of the agent's (its fallbacks are dropped, its options kept).",
                valueName: "provider/id"))
        var model: String?

        @Option(name: .customShort("p"), help: ArgumentHelp("Set an agent parameter.", valueName: "key=value"))
        var params: [String] = []

        @Option(
            help: ArgumentHelp(
                "Attach an image to the input: a local file (sent as a base64 data URI) or an http(s) URL.",
                valueName: "file-or-url"))
        var image: [String] = []

        func run() async throws {
            let known = Known(agent: agent)
            do {
                try await execute(known)
            } catch let error where json && !(error is ExitCode) {
                // A run that could not start is still one result on stdout; the human line goes to stderr.
                let (code, message) = Self.describe(error)
                Output.out(
                    Self.failureJSON(
                        agent: known.agent, model: known.model, code: code, message: message,
                        cancelled: error is CancellationError) + "\n")
                throw error
            }
        }

        private func execute(_ known: Known) async throws {
            if quiet && verbose {
                throw CLIFailure.invalid("--quiet and --verbose cannot be combined", code: .invalidUsage)
            }
            let values = try parsedParams()
            let override = try parsedModel()
            var workspace = self.workspace
            let byPath = WorkspaceOptions.isPath(agent)
            if byPath {
                guard FileManager.default.fileExists(atPath: agent) else {
                    throw CLIFailure.invalid("\(agent): no such agent file", code: .unknownAgent)
                }
                if workspace.chosenRoot == nil, let root = WorkspaceOptions.workspace(ofAgentFile: agent) {
                    workspace.root = root
                }
            }
            let loaded = try workspace.load(extraAgentFiles: byPath ? [agent] : [])
            let file = try workspace.agent(agent, in: loaded)
            known.agent = file.definition.name
            let resolved: AgentDefinition
            do {
                resolved = try file.resolved(params: values)
            } catch {
                throw CLIFailure.invalid(error.description)
            }
            var definition = resolved
            if let override { definition.model = try Self.overridden(definition.model, by: override, in: loaded) }
            known.model = definition.model.description
            let text = try readInput()
            let images: [ContentPart]
            do {
                images = try image.map { try ImageAttachment.part(from: $0) }
            } catch {
                throw CLIFailure.invalid("--image: \(error)", code: .invalidInput)
            }

            let progress = RunProgress(
                style: .detect(
                    verbose: verbose, quiet: quiet, streamText: stream && !json,
                    environment: ProcessInfo.processInfo.environment))
            let input = [ContentPart.text(text)] + images
            let options = AgentRunner.Options(
                stream: stream, workspace: WorkspaceOptions.absolute(loaded.root),
                approver: TerminalApprover.ifAvailable(),
                executor: EventLoopTaskExecutor(client: .trellis))
            let result = try await sessions.withConversation(agent: known.agent, root: loaded.root) { conversation in
                try await workspace.withAgents(in: loaded) { agents in
                    try await agents.prepare(definition)
                    let runner = AgentRunner(resolver: agents)
                    let show: @Sendable (RunEvent) async -> Void = { event in progress.handle(event) }
                    guard let conversation else {
                        return await progress.showing {
                            await runner.run(definition, input: input, options: options, onEvent: show)
                        }
                    }
                    if let state = conversation.state, state.status == .running {
                        if !quiet {
                            Output.err(
                                "↻ resuming session '\(conversation.name)' (\(Conversation.resumeSummary(of: state)))\n"
                            )
                        }
                        var resumeOptions = options
                        resumeOptions.runID = state.runID
                        _ = await progress.showing {
                            await conversation.resume(definition, runner: runner, options: resumeOptions, onEvent: show)
                        }
                    }
                    let result = await progress.showing {
                        await conversation.send(input, to: definition, runner: runner, options: options, onEvent: show)
                    }
                    if let failure = conversation.failure {
                        Output.error("session '\(conversation.name)' was not saved: \(failure)")
                    }
                    return result
                }
            }
            try Self.report(result, json: json, streamed: stream)
        }

        /// Prints a finished run: its JSON or its answer (only a line end when it was streamed), its error on
        /// standard error; exit 1 when it did not end with an answer.
        static func report(_ result: RunResult, json: Bool, streamed: Bool) throws {
            if json {
                Output.out(result.json.serialized() + "\n")
            } else if !result.output.isEmpty {
                Output.out(streamed ? "\n" : result.output + (result.output.hasSuffix("\n") ? "" : "\n"))
            }
            if let error = result.error {
                Output.error(error.message)
            }
            if !result.finishReason.isSuccess { throw ExitCode(1) }
        }

        private func parsedParams() throws -> [String: String] { try Self.parsedParams(params) }

        /// `-p key=value` options as a dictionary.
        static func parsedParams(_ params: [String]) throws -> [String: String] {
            var values: [String: String] = [:]
            for item in params {
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                    throw CLIFailure.invalid("-p expects key=value, got '\(item)'", code: .invalidUsage)
                }
                values[String(item[..<equals])] = String(item[item.index(after: equals)...])
            }
            return values
        }

        private func parsedModel() throws -> ModelReference? { try Self.parsedModel(model) }

        /// `--model provider/id` as a reference.
        static func parsedModel(_ model: String?) throws -> ModelReference? {
            guard let model else { return nil }
            guard let reference = ModelReference(shorthand: model) else {
                throw CLIFailure.invalid(
                    "--model: '\(model)' is not of the form provider/model-id (for example openai/gpt-4o-mini)",
                    code: .invalidUsage)
            }
            return reference
        }

        /// The agent's model replaced by `--model`: same generation options, no fallbacks (the model asked for
        /// is the one that answers, or the run fails).
        static func overridden(_ model: ModelReference, by override: ModelReference, in workspace: Workspace) throws
            -> ModelReference
        {
            let providers = workspace.configuration.providers.keys.sorted()
            guard providers.contains(override.provider) else {
                throw CLIFailure.invalid(
                    "--model: unknown provider '\(override.provider)'"
                        + "\(Suggestions.hint(for: override.provider, in: providers)); configured: "
                        + providers.joined(separator: ", ") + " (declare it under providers: in trellis.yaml)",
                    code: .unknownProvider)
            }
            return ModelReference(provider: override.provider, name: override.name, options: model.options)
        }

        /// The input: INPUT, or standard input without its final line break (one `\n` or `\r\n`).
        private func readInput() throws -> String {
            if let input { return input }
            if isatty(STDIN_FILENO) == 1 {
                throw CLIFailure.invalid("no input: pass INPUT or pipe it on standard input", code: .invalidInput)
            }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            var text = String(decoding: data, as: UTF8.self)
            guard !text.allSatisfy(\.isWhitespace) else {
                throw CLIFailure.invalid("the input on standard input is empty", code: .invalidInput)
            }
            // "\r\n" is one Character, so this drops either ending whole and nothing more.
            if text.last == "\n" || text.last == "\r\n" { text.removeLast() }
            return text
        }
    }
}
