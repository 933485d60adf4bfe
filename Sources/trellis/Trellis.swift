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
            Run.self, Validate.self, Agents.self, Tools.self, Tool.self, Plugin.self, Provider.self, Schema.self,
        ])

    /// Exit codes: 0 done, 1 run failed, 2 bad usage or invalid definitions.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot()
            if let asyncCommand = command as? any TrellisCommand {
                try await Interruption.run(asyncCommand)
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            Output.error(failure.message)
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            if code == .validationFailure {
                Output.error(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// A failure the CLI reports in one line, with its exit code.
struct CLIFailure: Error {
    var message: String
    var exitCode: Int32

    /// Bad usage or an invalid definition (exit 2).
    static func invalid(_ message: String) -> CLIFailure { CLIFailure(message: message, exitCode: 2) }
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
