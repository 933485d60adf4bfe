import ArgumentParser
import AsyncHTTPClient
import Foundation
import TrellisConfig
import TrellisCore
import TrellisProviders
import TrellisRuntime

extension Trellis {
    /// `trellis sessions [list|show|rm]`.
    struct Sessions: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "sessions",
            abstract: "List, show and delete the conversations kept in .trellis/trellis.db.",
            discussion: "Sessions are made by `trellis run --session NAME` and `trellis chat` (see docs/sessions.md).",
            subcommands: [List.self, Show.self, Remove.self], defaultSubcommand: List.self)

        /// `trellis sessions list`.
        struct List: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "One line per session, the one used last first.")

            @OptionGroup var workspace: WorkspaceOptions

            @Flag(help: "Print a JSON array.")
            var json = false

            func run() async throws {
                let store = try await SessionOptions.open(root: workspace.root)
                let sessions = try await SessionOptions.unavailable { () async throws(SessionError) in
                    try await store.sessions()
                }
                await store.close()
                if json {
                    Output.out(JSONValue.array(sessions.map(SessionText.json)).serialized() + "\n")
                    return
                }
                guard !sessions.isEmpty else {
                    Output.err(
                        "no sessions yet: start one with trellis run AGENT INPUT --session NAME, or trellis chat AGENT\n"
                    )
                    return
                }
                Output.out(SessionText.table(sessions, now: Date().timeIntervalSince1970))
            }
        }

        /// `trellis sessions show NAME`.
        struct Show: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Print a session's transcript.")

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "The session's name.")
            var name: String

            @Flag(help: "Print the stored state (docs/sessions.md) as JSON.")
            var json = false

            func run() async throws {
                let stored = try await SessionText.load(name, root: workspace.root)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    Output.out(String(decoding: try encoder.encode(stored.state), as: UTF8.self) + "\n")
                    return
                }
                Output.out(SessionText.transcript(stored))
            }
        }

        /// `trellis sessions rm NAME...`.
        struct Remove: TrellisCommand {
            static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete sessions.")

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "The sessions' names.")
            var names: [String]

            func run() async throws {
                guard !names.isEmpty else {
                    throw CLIFailure.invalid("name the sessions to delete", code: .invalidUsage)
                }
                let store = try await SessionOptions.open(root: workspace.root)
                var missing: [String] = []
                do {
                    for name in names {
                        let removed = try await SessionOptions.unavailable { () async throws(SessionError) in
                            try await store.remove(name)
                        }
                        if removed { Output.err("deleted session '\(name)'\n") } else { missing.append(name) }
                    }
                } catch {
                    await store.close()
                    throw error
                }
                await store.close()
                if !missing.isEmpty {
                    throw CLIFailure(
                        message: missing.map { "no session named '\($0)'" }.joined(separator: "\n"), exitCode: 1,
                        code: .sessionUnavailable)
                }
            }
        }
    }

    /// `trellis resume NAME`.
    struct Resume: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Finish a session's run that was cut short (the process was killed), without a new message.",
            discussion: """
                Calls whose results were saved are not run again; a call that was running when the process died \
                is run again only when its tool is idempotent, otherwise the model is told its outcome is unknown \
                (docs/sessions.md). Exit status as for trellis run.
                """)

        @OptionGroup var workspace: WorkspaceOptions

        @Argument(help: "The session's name.")
        var name: String

        @Flag(help: "Print the run result as one JSON object.")
        var json = false

        @Flag(help: "Print the answer as it arrives.")
        var stream = false

        @Flag(name: .shortAndLong, help: "Show no progress on standard error (errors still show).")
        var quiet = false

        func run() async throws {
            let stored = try await SessionText.load(name, root: workspace.root)
            let loaded = try workspace.load()
            let file = try workspace.agent(stored.summary.agent, in: loaded)
            let definition: AgentDefinition
            do {
                definition = try file.resolved(params: [:])
            } catch {
                throw CLIFailure.invalid(error.description)
            }
            guard stored.state.status == .running else {
                Output.err(
                    "session '\(name)' has nothing to resume: its last run ended (\(stored.state.finishReason?.rawValue ?? "stop")); "
                        + "continue it with trellis run \(stored.summary.agent) INPUT --session \(name)\n")
                return
            }
            let progress = RunProgress(
                style: .detect(
                    verbose: false, quiet: quiet, streamText: stream && !json,
                    environment: ProcessInfo.processInfo.environment))
            let options = AgentRunner.Options(
                stream: stream, runID: stored.state.runID, workspace: WorkspaceOptions.absolute(loaded.root),
                approver: TerminalApprover.ifAvailable(),
                executor: EventLoopTaskExecutor(client: .trellis))
            let result = try await SessionOptions.withConversation(
                named: name, continueLast: false, agent: stored.summary.agent, root: loaded.root
            ) {
                conversation in
                try await workspace.withAgents(in: loaded) { agents in
                    try await agents.prepare(definition)
                    let runner = AgentRunner(resolver: agents)
                    guard let conversation else { return nil as RunResult? }
                    if !quiet {
                        Output.err("↻ resuming session '\(name)' (\(Conversation.resumeSummary(of: stored.state)))\n")
                    }
                    let result = await progress.showing {
                        await conversation.resume(definition, runner: runner, options: options) { progress.handle($0) }
                    }
                    if let failure = conversation.failure {
                        Output.error("session '\(name)' was not saved: \(failure)")
                    }
                    return result
                }
            }
            guard let result else { return }
            try Run.report(result, json: json, streamed: stream)
        }
    }
}

/// How sessions read on a terminal.
enum SessionText {
    /// The stored session, or the error that names the sessions there are.
    static func load(_ name: String, root: String) async throws -> StoredSession {
        let store = try await SessionOptions.open(root: root)
        do {
            let stored = try await SessionOptions.unavailable { () async throws(SessionError) in
                try await store.session(name)
            }
            guard let stored else {
                let known = (try? await store.sessions().map(\.name)) ?? []
                await store.close()
                throw CLIFailure(
                    message: SessionError.notFound(name: name, known: known).description, exitCode: 1,
                    code: .sessionUnavailable)
            }
            await store.close()
            return stored
        } catch {
            await store.close()
            throw error
        }
    }

    /// `NAME  AGENT  TURNS  TOKENS  COST  LAST USED`, one row per session.
    static func table(_ sessions: [SessionSummary], now: Double) -> String {
        let header = ["SESSION", "AGENT", "TURNS", "TOKENS", "COST", "LAST USED", ""]
        let rows = sessions.map { session -> [String] in
            let agent = session.answering == session.agent ? session.agent : "\(session.agent) → \(session.answering)"
            return [
                session.name, agent, "\(session.turns)", session.usage.map { "\($0.totalTokens)" } ?? "-",
                session.usage?.cost.map(Usage.costText) ?? "-", ago(now - session.updated),
                session.status == .running ? "interrupted (trellis resume \(session.name))" : "",
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// `{"name", "agent", "answering", "turns", "usage", "messages", "status", "created", "updated"}`.
    static func json(_ session: SessionSummary) -> JSONValue {
        [
            "name": .string(session.name), "agent": .string(session.agent), "answering": .string(session.answering),
            "turns": .integer(session.turns), "usage": session.usage?.json ?? .null,
            "messages": .integer(session.messages), "status": .string(session.status.rawValue),
            "created": .number(session.created), "updated": .number(session.updated),
        ]
    }

    /// `just now`, `5 min ago`, `3 h ago`, `2 d ago`.
    static func ago(_ seconds: Double) -> String {
        switch seconds {
        case ..<60: "just now"
        case ..<3600: "\(Int(seconds / 60)) min ago"
        case ..<86400: "\(Int(seconds / 3600)) h ago"
        default: "\(Int(seconds / 86400)) d ago"
        }
    }

    /// The transcript for people: who said what, each call with its result, and the totals.
    static func transcript(_ stored: StoredSession) -> String {
        let state = stored.state
        var text = "session \(stored.summary.name) · agent \(stored.summary.agent)"
        if state.agent != stored.summary.agent { text += " (answering: \(state.agent))" }
        text += " · \(state.allTurns) turn(s)"
        if let usage = state.allUsage {
            text += " · \(usage.totalTokens) tokens"
            if let cost = usage.cost { text += " · cost \(Usage.costText(cost))" }
        }
        text += "\n"
        for message in state.transcript {
            switch message.role {
            case .system:
                continue
            case .user:
                text += "\nyou: " + parts(message) + "\n"
            case .assistant:
                let said = message.text
                if !said.isEmpty {
                    text += "\n\(state.agent == stored.summary.agent ? "agent" : "assistant"): \(said)\n"
                }
                for call in message.toolCalls {
                    text += "  → \(call.name) \(RunProgress.shortened(RunProgress.compact(call.arguments), to: 200))\n"
                }
            case .tool:
                let flat = message.text.split(whereSeparator: \.isNewline).joined(separator: " ")
                text += "  ← \(message.toolName ?? "tool"): \(RunProgress.shortened(flat, to: 200))\n"
            }
        }
        if let batch = state.batch {
            text +=
                "\n(the last run was cut short with \(batch.count) call(s) unanswered; trellis resume \(stored.summary.name))\n"
        } else if let error = state.error {
            text += "\n(the last run ended: \(error.message))\n"
        }
        return text
    }

    private static func parts(_ message: ChatMessage) -> String {
        message.content.map { part in
            switch part {
            case .text(let text): text
            case .image(let url, _): url.hasPrefix("data:") ? "[image]" : "[image \(url)]"
            }
        }.joined(separator: " ")
    }
}
