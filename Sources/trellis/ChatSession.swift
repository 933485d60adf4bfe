import AsyncHTTPClient
import Foundation
import Synchronization
import TrellisConfig
import TrellisCore
import TrellisProviders
import TrellisRuntime

/// The loop of `trellis chat`: read a line, run a slash command or a turn, show the answer, again.
final class ChatSession: Sendable {
    private struct Current {
        var definition: AgentDefinition
        var quietInterrupt = false
    }

    let conversation: Conversation
    let agents: WorkspaceHost
    let workspace: Workspace
    let root: String
    let verbose: Bool
    let interrupts: TurnInterrupts
    /// Standard input and output are a terminal: line editing, streamed answers.
    let isTerminal: Bool
    private let current: Mutex<Current>
    private let editor: LineEditor?

    init(
        conversation: Conversation, agents: WorkspaceHost, workspace: Workspace, root: String,
        definition: AgentDefinition, verbose: Bool, interrupts: TurnInterrupts
    ) {
        self.conversation = conversation
        self.agents = agents
        self.workspace = workspace
        self.root = root
        self.verbose = verbose
        self.interrupts = interrupts
        self.isTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        self.current = Mutex(Current(definition: definition))
        self.editor =
            isTerminal
            ? LineEditor(historyPath: (root as NSString).appendingPathComponent(".trellis/chat_history")) : nil
    }

    private var definition: AgentDefinition { current.withLock { $0.definition } }

    /// Reads and answers lines until `/exit`, Ctrl-D or the end of input.
    func loop() async throws {
        if isTerminal {
            let turns = conversation.state?.userTurns ?? 0
            let resumed = turns > 0 ? " (\(turns) message(s) so far)" : ""
            Output.err(
                "trellis chat · agent \(definition.name) · session \(conversation.name)\(resumed) · /help for commands, Ctrl-D to exit\n"
            )
        }
        if conversation.isInterrupted, let state = conversation.state {
            Output.err("↻ resuming the run that was cut short (\(Conversation.resumeSummary(of: state)))\n")
            await turn(nil)
        }
        var interruptedAtPrompt = false
        while true {
            let input = await readInput()
            switch input {
            case .end:
                if isTerminal { Output.err("bye (session \(conversation.name) saved)\n") }
                return
            case .interrupt:
                if interruptedAtPrompt { return }
                interruptedAtPrompt = true
                Output.err("(Ctrl-C again, Ctrl-D or /exit to leave)\n")
                continue
            case .line(let line):
                interruptedAtPrompt = false
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { continue }
                editor?.remember(line)
                if text.hasPrefix("/") {
                    if try await command(text) == .exit { return }
                    continue
                }
                await turn([.text(line)])
            }
        }
    }

    private func readInput() async -> LineEditor.Input {
        let editor = self.editor
        let prompt = "you› "
        return await withCheckedContinuation { continuation in
            // Reading blocks; it gets a thread of its own, not one of the concurrency pool's.
            Thread.detachNewThread {
                if let editor {
                    continuation.resume(returning: editor.read(prompt: prompt))
                } else {
                    continuation.resume(returning: readLine(strippingNewline: true).map { .line($0) } ?? .end)
                }
            }
        }
    }

    // MARK: - Turns

    /// Sends `input` (or, with `nil`, resumes the cut run) and shows the answer as it streams.
    private func turn(_ input: [ContentPart]?) async {
        let definition = self.definition
        let progress = RunProgress(
            style: .detect(
                verbose: verbose, quiet: false, streamText: true, environment: ProcessInfo.processInfo.environment))
        let options = AgentRunner.Options(
            stream: true, workspace: root, approver: TerminalApprover.ifAvailable(),
            executor: EventLoopTaskExecutor(client: .trellis))
        let runner = AgentRunner(resolver: agents)
        let conversation = self.conversation
        let show: @Sendable (RunEvent) async -> Void = { event in progress.handle(event) }
        let (result, interrupted) = await interrupts.turn {
            await progress.showing { () async -> RunResult? in
                if let input {
                    return await conversation.send(
                        input, to: definition, runner: runner, options: options, onEvent: show)
                }
                return await conversation.resume(definition, runner: runner, options: options, onEvent: show)
                    ?? conversation.state?.result
            }
        }
        if let result, !result.output.isEmpty { Output.out("\n") }
        if interrupted {
            Output.err("⏹ turn cancelled; the conversation is kept (every call answered)\n")
        } else if let error = result?.error {
            Output.error(error.message)
        }
        if let failure = conversation.failure {
            Output.error("session '\(conversation.name)' was not saved: \(failure)")
        }
    }

    // MARK: - Commands

    private enum Outcome {
        case goOn
        case exit
    }

    static let help = """
        /reset               start the conversation over (same session name)
        /tools               the tools the agent may call
        /agent NAME          go on with another agent of the workspace
        /model provider/id   go on with another model (/model alone shows it)
        /session             the session's name, messages and where it is kept
        /cost                tokens and money spent so far
        /help                this list
        /exit                leave (Ctrl-D too); the session is kept
        """

    private func command(_ text: String) async throws -> Outcome {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let argument = words.dropFirst().joined(separator: " ")
        switch words[0] {
        case "/exit", "/quit":
            return .exit
        case "/help":
            Output.out(Self.help + "\n")
        case "/reset":
            conversation.reset()
            Output.out("(conversation reset; session \(conversation.name) starts over)\n")
        case "/tools":
            await showTools()
        case "/agent":
            await switchAgent(to: argument)
        case "/model":
            await switchModel(to: argument)
        case "/session":
            let state = conversation.state
            Output.out(
                "session \(conversation.name) · agent \(definition.name) · \(state?.transcript.count ?? 0) message(s) · "
                    + ".trellis/trellis.db in \(root)\n")
        case "/cost":
            Output.out(costLine() + "\n")
        default:
            Output.out("unknown command \(words[0]); /help lists them\n")
        }
        return .goOn
    }

    private func costLine() -> String {
        guard let state = conversation.state else { return "nothing spent yet" }
        guard let usage = state.allUsage else {
            return "\(state.allTurns) model call(s); the provider reported no usage"
        }
        var line =
            "\(usage.inputTokens) tokens in, \(usage.outputTokens) out (\(usage.totalTokens) in all) over "
            + "\(state.allTurns) model call(s)"
        line += usage.cost.map { " · cost \(Usage.costText($0))" } ?? " · cost unknown (no pricing: for this model)"
        return line
    }

    private func showTools() async {
        do {
            let definition = self.definition
            let equipment = try await agents.equipment(for: definition)
            var lines = equipment.tools.map { tool in
                let description = tool.definition.description.split(whereSeparator: \.isNewline).first ?? ""
                return "\(tool.definition.name)  \(description)"
            }
            lines += definition.handoffs.map {
                "\(AgentDefinition.handoffToolName(for: $0))  hand the conversation to \($0)"
            }
            lines += definition.agentTools.map { "\(AgentDefinition.agentToolName(for: $0))  ask agent \($0)" }
            Output.out(
                lines.isEmpty ? "(agent \(definition.name) has no tools)\n" : lines.joined(separator: "\n") + "\n")
        } catch {
            Output.error("\(error)")
        }
    }

    private func switchAgent(to name: String) async {
        guard !name.isEmpty else {
            Output.out(
                "agent \(definition.name); agents: \(workspace.agents.map(\.definition.name).sorted().joined(separator: ", "))\n"
            )
            return
        }
        do {
            let next = try await agents.definition(named: name)
            try await agents.prepare(next)
            current.withLock { $0.definition = next }
            conversation.switchAgent(to: next.name)
            Output.out("(now talking with \(next.name))\n")
        } catch {
            let names = workspace.agents.map(\.definition.name).sorted()
            Output.error(
                "no agent '\(name)'\(Suggestions.hint(for: name, in: names)); agents: \(names.joined(separator: ", "))")
        }
    }

    private func switchModel(to text: String) async {
        guard !text.isEmpty else {
            Output.out("model \(definition.model.description)\n")
            return
        }
        do {
            guard let reference = try Trellis.Run.parsedModel(text) else { return }
            var next = definition
            next.model = try Trellis.Run.overridden(next.model, by: reference, in: workspace)
            try await agents.prepare(next)
            current.withLock { $0.definition = next }
            Output.out("(model \(next.model.description) from now on)\n")
        } catch let failure as CLIFailure {
            Output.error(failure.message)
        } catch {
            Output.error("\(error)")
        }
    }
}
