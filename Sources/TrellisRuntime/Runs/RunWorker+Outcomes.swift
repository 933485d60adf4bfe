import TrellisCore

/// What a worker makes of a claimed run: the conversation a session's run continues, and the result and status of
/// a run, including one that could not start.
extension RunWorker {
    /// What a session's next run continues: the local session store's conversation, or without one (a store
    /// shared by several machines) the state the session's newest ended run left.
    static func continuation(of session: String, _ sessions: SessionStore?, _ store: any RunStore)
        async throws -> SessionContinuation?
    {
        guard let sessions else { return try await store.sessionState(session) }
        return try await sessions.session(session).map { SessionContinuation(agent: $0.summary.agent, state: $0.state) }
    }

    /// A run that could not start: a bad request, an unknown agent or parameter, a busy session.
    static func failure(_ claim: RunClaim, _ error: any Error) -> RunResult {
        let code: String
        let message: String
        switch error {
        case let error as WorkspaceSetupError:
            (code, message) = (error.code.rawValue, error.message)
        case let error as RunRequestError:
            (code, message) = ("invalid_request", error.message)
        case SessionError.busy(let name, let pid):
            (code, message) = ("session_busy", SessionError.busy(name: name, pid: pid).description)
        case let error as SessionError:
            (code, message) = ("session_unavailable", error.description)
        case is CancellationError:
            (code, message) = ("cancelled", "the run was cancelled")
        default:
            (code, message) = ("setup_failed", "\(error)")
        }
        return RunResult(
            agent: claim.run.agent, output: "", finishReason: code == "cancelled" ? .cancelled : .error, route: nil,
            turns: 0, toolCalls: [], usage: nil, error: RunError(code: code, message: message), transcript: [])
    }

    /// The run status a result ends in.
    static func status(of result: RunResult) -> RunStatus {
        switch result.finishReason {
        case .stop: .succeeded
        case .cancelled: .cancelled
        case .waitingApproval: .waitingApproval
        default: .failed
        }
    }

    /// A call waiting for approval, as `approval.required` lists it: its arguments as JSON when they parse.
    public static func json(_ call: ToolCall) -> JSONValue {
        let arguments = (try? JSONValue.parse(call.arguments)) ?? .string(call.arguments)
        return ["id": .string(call.id), "name": .string(call.name), "arguments": arguments]
    }
}
