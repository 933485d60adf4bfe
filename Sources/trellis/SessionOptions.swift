import ArgumentParser
import TrellisCore
import TrellisRuntime

/// `--session NAME` and `-c`: keep a conversation in the workspace's store (`.trellis/trellis.db`).
struct SessionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Keep the conversation in this session: created on first use, continued after (resumed first when a run was cut short).",
            valueName: "name"))
    var session: String?

    @Flag(name: [.customShort("c"), .customLong("continue")], help: "Continue the agent's most recent session.")
    var continueLast = false

    /// Whether a session is asked for.
    var isRequested: Bool { session != nil || continueLast }

    /// Runs `body` with the session claimed for this process, or with `nil` when none is asked for; the claim is
    /// released when `body` ends.
    ///
    /// - Parameters:
    ///   - agent: The agent the command runs, as named on the command line.
    ///   - root: The workspace folder.
    ///   - fallbackName: The name of a new session when none is asked for (`trellis chat`); `nil` for none.
    func withConversation<R: Sendable>(
        agent: String, root: String, fallbackName: String? = nil, _ body: (Conversation?) async throws -> R
    ) async throws -> R {
        try await Self.withConversation(
            named: session, continueLast: continueLast, agent: agent, root: root, fallbackName: fallbackName, body)
    }

    /// ``withConversation(agent:root:fallbackName:_:)`` for a session `name`d, or the agent's last one.
    static func withConversation<R: Sendable>(
        named session: String?, continueLast: Bool, agent: String, root: String, fallbackName: String? = nil,
        _ body: (Conversation?) async throws -> R
    ) async throws -> R {
        if session != nil, continueLast {
            throw CLIFailure.invalid("--session and -c cannot be combined", code: .invalidUsage)
        }
        guard session != nil || continueLast || fallbackName != nil else { return try await body(nil) }
        let store = try await Self.open(root: root)
        do {
            let conversation = try await claim(
                session: session, continueLast: continueLast, agent: agent, store: store, fallbackName: fallbackName)
            let result = try await body(conversation)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// The workspace's store, opened.
    static func open(root: String) async throws -> SessionStore {
        do {
            return try await SessionStore.open(path: SessionStore.path(inWorkspace: WorkspaceOptions.absolute(root)))
        } catch {
            throw CLIFailure(message: error.description, exitCode: 1, code: .sessionUnavailable)
        }
    }

    private static func claim(
        session: String?, continueLast: Bool, agent: String, store: SessionStore, fallbackName: String?
    ) async throws -> Conversation {
        let name: String
        if let session {
            name = session
        } else if continueLast {
            let sessions = try await unavailable { () async throws(SessionError) in try await store.sessions() }
            guard let last = sessions.first(where: { $0.agent == agent }) else {
                throw CLIFailure(
                    message: "-c: agent '\(agent)' has no session to continue; start one with --session NAME",
                    exitCode: 1, code: .sessionUnavailable)
            }
            name = last.name
        } else {
            name = fallbackName ?? ""
        }
        do {
            try await store.claim(name)
        } catch {
            if case .busy = error { throw CLIFailure(message: error.description, exitCode: 1, code: .sessionBusy) }
            if case .invalidName = error { throw CLIFailure.invalid("--session: \(error)", code: .invalidUsage) }
            throw CLIFailure(message: error.description, exitCode: 1, code: .sessionUnavailable)
        }
        let stored = try await unavailable { () async throws(SessionError) in try await store.session(name) }
        if let stored, stored.summary.agent != agent {
            throw CLIFailure(
                message:
                    "session '\(name)' is a conversation with agent '\(stored.summary.agent)', not '\(agent)'; "
                    + "run it with that agent or pick another name",
                exitCode: 1, code: .sessionUnavailable)
        }
        return Conversation(store: store, name: name, agent: agent, state: stored?.state)
    }

    /// Runs a store call, its errors as a ``CLIFailure`` (exit 1).
    static func unavailable<R>(_ body: () async throws(SessionError) -> R) async throws -> R {
        do {
            return try await body()
        } catch {
            throw CLIFailure(message: error.description, exitCode: 1, code: .sessionUnavailable)
        }
    }
}
