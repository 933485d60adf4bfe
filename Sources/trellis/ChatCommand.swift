import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisRuntime
import UnixSignals

extension Trellis {
    /// `trellis chat AGENT`.
    struct Chat: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "chat",
            abstract: "Talk with an agent: a conversation kept in a session, a line at a time.",
            discussion: """
                On a terminal, answers stream as they arrive, with tool lines and approval prompts as in \
                trellis run; the line editor has history (Up/Down, Ctrl-R) kept in .trellis/chat_history. \
                Ctrl-C cancels the turn in progress and keeps the conversation; a second Ctrl-C, Ctrl-D on an \
                empty line or /exit ends the chat. Without a terminal, lines are read from standard input and \
                answers printed as plain text. Type /help for the commands. Without --session or -c a new session \
                named chat-DATE-TIME is made (docs/sessions.md).
                """)

        static let handlesSignals = true

        @OptionGroup var workspace: WorkspaceOptions

        @OptionGroup var sessions: SessionOptions

        @Argument(help: "Agent name in the workspace.")
        var agent: String

        @Option(help: ArgumentHelp("Use this model instead of the agent's.", valueName: "provider/id"))
        var model: String?

        @Option(name: .customShort("p"), help: ArgumentHelp("Set an agent parameter.", valueName: "key=value"))
        var params: [String] = []

        @Flag(name: .shortAndLong, help: "Also show turns, each call as it is made, results and tokens.")
        var verbose = false

        func run() async throws {
            let values = try Run.parsedParams(params)
            let override = try Run.parsedModel(model)
            let loaded = try workspace.load()
            let file = try workspace.agent(agent, in: loaded)
            var definition: AgentDefinition
            do {
                definition = try file.resolved(params: values)
            } catch {
                throw CLIFailure.invalid(error.description)
            }
            if let override { definition.model = try Run.overridden(definition.model, by: override, in: loaded) }
            let root = WorkspaceOptions.absolute(loaded.root)
            let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm, .sighup)
            let interrupts = TurnInterrupts()
            let starting = definition
            try await sessions.withConversation(
                agent: file.definition.name, root: loaded.root, fallbackName: Self.newSessionName()
            ) { conversation in
                guard let conversation else { return }
                try await workspace.withAgents(in: loaded) { agents in
                    try await agents.prepare(starting)
                    let chat = ChatSession(
                        conversation: conversation, agents: agents, workspace: loaded, root: root,
                        definition: starting, verbose: verbose, interrupts: interrupts)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await signal in signals {
                                if signal == .sigint, interrupts.interrupt() { continue }
                                // Every committed step is saved already; nothing is lost by ending here.
                                Output.err("\n")
                                Foundation.exit(signal == .sigint ? 130 : 128 + signal.rawValue)
                            }
                        }
                        try await chat.loop()
                        group.cancelAll()
                    }
                }
            }
        }

        /// `chat-20261201-213405`, in local time.
        static func newSessionName() -> String {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            formatter.locale = Locale(identifier: "en_US_POSIX")
            return "chat-" + formatter.string(from: Date())
        }
    }
}
