import ArgumentParser
import TrellisCore
import TrellisProviders

extension Trellis.Run {
    /// What is known about the run so far, for the result of a run that could not start.
    final class Known {
        /// The AGENT argument, then the agent's name once its file is found.
        var agent: String
        /// The model, once the agent is resolved (after `--model`).
        var model: String?

        init(agent: String) { self.agent = agent }
    }

    /// Whether these command-line arguments ask `trellis run` for JSON (before any `--`).
    static func wantsJSON(_ arguments: [String]) -> Bool {
        arguments.first == "run" && arguments.prefix { $0 != "--" }.contains("--json")
    }

    /// An error's `--json` code and message.
    static func describe(_ error: any Error) -> (code: String, message: String) {
        switch error {
        case let failure as CLIFailure: (failure.code.rawValue, failure.message)
        case is CancellationError: ("cancelled", "the run was cancelled")
        default: (CLIFailure.Code.setupFailed.rawValue, "\(error)")
        }
    }

    /// The `--json` result of a run that could not start: the documented shape with no turns, no calls, no usage,
    /// `finish_reason` `error` (or `cancelled`) and the error; `agent` is `null` when the arguments did not parse.
    static func failureJSON(
        agent: String? = nil, model: String? = nil, code: String, message: String, cancelled: Bool = false
    ) -> String {
        let result = RunResult(
            agent: agent ?? "", output: "", finishReason: cancelled ? .cancelled : .error, turns: 0, toolCalls: [],
            usage: nil, error: RunError(code: code, message: message), transcript: [], model: model)
        var json = result.json
        if agent == nil, case .object(var object) = json {
            object["agent"] = .null
            json = .object(object)
        }
        return json.serialized()
    }
}
