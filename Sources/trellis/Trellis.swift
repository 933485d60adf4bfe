import ArgumentParser
import Foundation
import Logging
import TrellisCore

/// The `trellis` command: thin commands over the Trellis libraries.
@main
struct Trellis: TrellisCommand {
    static let configuration = CommandConfiguration(
        commandName: "trellis",
        abstract: "Run YAML-defined agents against any chat model, with tools.",
        version: TrellisVersion.current,
        subcommands: [
            Run.self, Chat.self, Resume.self, Sessions.self, Route.self, Validate.self, Agents.self, Tools.self,
            Tool.self, Plugin.self, Provider.self, Serve.self, Worker.self,
            Schema.self,
        ])

    /// Exit codes: 0 done, 1 run failed, 2 bad usage or invalid definitions.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
            return handler
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
            if let message = SingleValueOptions.repeated(in: arguments) {
                throw CLIFailure.invalid(message, code: .invalidUsage)
            }
        } catch {
            if exitCode(for: error) != .success, Run.wantsJSON(arguments) {
                Output.out(
                    Run.failureJSON(
                        code: CLIFailure.Code.invalidUsage.rawValue,
                        message: (error as? CLIFailure)?.message ?? message(for: error)) + "\n")
            }
            fail(error)
        }
        do {
            if let asyncCommand = command as? any TrellisCommand {
                try await Interruption.run(asyncCommand)
            } else {
                try command.run()
            }
        } catch {
            fail(error)
        }
    }

    /// Reports an error with one `error: ` prefix and exits: 2 for bad usage and invalid definitions, a
    /// ``CLIFailure``'s own status, or the argument parser's (`ExitCode` errors exit silently, help and
    /// `--version` print and exit 0).
    static func fail(_ error: any Error) -> Never {
        if let failure = error as? CLIFailure {
            Output.error(failure.message)
            Foundation.exit(failure.exitCode)
        }
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }
        let text = message(for: error)
        Output.error(text)
        guard code == .validationFailure else { Foundation.exit(code.rawValue) }
        // The parser's help and usage lines, after its own "Error: message" line.
        let full = fullMessage(for: error)
        let errorLine = "Error: \(text)\n"
        if full.hasPrefix(errorLine) {
            let rest = full.dropFirst(errorLine.count)
            if !rest.isEmpty { Output.err(rest + (rest.hasSuffix("\n") ? "" : "\n")) }
        }
        Foundation.exit(2)
    }
}

/// A failure the CLI reports in one line, with its exit code.
struct CLIFailure: Error {
    /// What `trellis run --json` reports as `error.code` for a run that could not start.
    enum Code: String, Sendable {
        /// Arguments the command does not accept: an unknown flag, `-p` without `=`, `--model` not `provider/id`.
        case invalidUsage = "invalid_usage"
        /// No input, empty standard input, or an `--image` that cannot be read.
        case invalidInput = "invalid_input"
        /// `trellis.yaml`, an agent file or a plugin manifest has a problem, or `-p` misses a parameter.
        case invalidDefinition = "invalid_definition"
        /// No agent of that name in the workspace, or the path is not an agent file.
        case unknownAgent = "unknown_agent"
        /// `--model` (or the agent) names a provider the workspace does not configure.
        case unknownProvider = "unknown_provider"
        /// The provider needs an API key and none is set.
        case missingAPIKey = "missing_api_key"
        /// A `local` model, or the server that runs it, is not installed (the message says how to install it).
        case modelNotInstalled = "model_not_installed"
        /// Anything else that stopped the run before its first model call (an MCP server that did not start).
        case setupFailed = "setup_failed"
        /// `--session` names a session another process is running.
        case sessionBusy = "session_busy"
        /// `--session` or `-c` cannot be used: no such session, another agent's, or the store cannot be read.
        case sessionUnavailable = "session_unavailable"
    }

    var message: String
    var exitCode: Int32
    var code: Code = .setupFailed

    /// Bad usage or an invalid definition (exit 2).
    static func invalid(_ message: String, code: Code = .invalidDefinition) -> CLIFailure {
        CLIFailure(message: message, exitCode: 2, code: code)
    }
}

/// Writes to the terminal.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// `error: message` on stderr; multi-line messages keep one problem per line.
    static func error(_ message: String) {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: true)
        for line in lines { err("error: \(line)\n") }
    }
}
