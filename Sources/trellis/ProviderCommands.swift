import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisProviders
import TrellisRuntime

extension Trellis {
    /// `trellis provider ...`.
    struct Provider: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "provider",
            abstract: "Inspect the workspace's model providers.", subcommands: [List.self, Check.self])

        /// `trellis provider list`.
        struct List: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List the providers: those in trellis.yaml and the built-in ones, with their kind and URL.")

            @OptionGroup var workspace: WorkspaceOptions

            func run() async throws {
                let loaded = try workspace.load()
                let rows = loaded.configuration.providers.values.sorted { $0.name < $1.name }.map { provider in
                    [
                        provider.name, provider.kind,
                        provider.baseURL.isEmpty
                            ? "(a server trellis starts)" : URLCredentials.redacted(provider.baseURL),
                        provider.apiKey == nil ? "no" : "yes",
                    ]
                }
                Output.out(Table.render(header: ["PROVIDER", "KIND", "BASE URL", "KEY"], rows: rows))
            }
        }

        /// `trellis provider check NAME`.
        struct Check: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "check",
                abstract: "Send a fixed battery of requests to a provider and show what it returned.",
                discussion: """
                    The battery: a plain answer, one tool call with its result fed back, two parallel tool calls, \
                    and a streamed reply with tool-call deltas. Each row shows the raw and normalised finish \
                    reason, the tool calls, the tokens, and the wire quirks the adapter smoothed over. \
                    Exits 1 when a check fails.
                    """)

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "The provider's name (from trellis.yaml, or a built-in one such as openai or yandex).")
            var name: String

            @Option(name: .shortAndLong, help: "The model id to test; defaults to defaults.model when it is on NAME.")
            var model: String?

            @Flag(help: "Print the outcomes as JSON.")
            var json = false

            func run() async throws {
                let loaded = try workspace.load()
                guard let configuration = loaded.configuration.providers[name] else {
                    let names = loaded.configuration.providers.keys.sorted()
                    throw CLIFailure.invalid(
                        "no provider named '\(name)'; providers: \(names.joined(separator: ", "))")
                }
                let modelID = try model ?? defaultModel(loaded)
                let agent = AgentDefinition(
                    name: "provider-check", model: ModelReference(provider: name, name: modelID))
                let outcomes = try await LocalModelServers.withServers { servers in
                    let provider = try await CLIFailure.setup {
                        try WorkspaceHost.chain(for: agent, in: loaded, localHost: servers)
                    }
                    return await ProviderCheck.run(provider, model: modelID)
                }
                if json {
                    Output.out(JSONValue.array(outcomes.map(Self.json)).serialized() + "\n")
                } else {
                    Output.out(
                        "\(name) (\(configuration.kind) at \(URLCredentials.redacted(configuration.baseURL))), model \(modelID)\n"
                    )
                    Output.out(Self.table(outcomes))
                    for outcome in outcomes where !outcome.passed {
                        Output.out("\(outcome.name): \(outcome.problem ?? "")\n")
                    }
                }
                if outcomes.contains(where: { !$0.passed }) { throw CLIFailure(message: "", exitCode: 1) }
            }

            private func defaultModel(_ loaded: Workspace) throws -> String {
                if let defaultModel = loaded.configuration.defaultModel, defaultModel.hasPrefix(name + "/") {
                    return String(defaultModel.dropFirst(name.count + 1))
                }
                throw CLIFailure.invalid("provider check needs --model MODEL (defaults.model is not on '\(name)')")
            }

            static func table(_ outcomes: [ProviderCheck.Outcome]) -> String {
                let rows = outcomes.map { outcome in
                    [
                        outcome.name, outcome.passed ? "ok" : "FAIL", outcome.finish, String(outcome.calls),
                        outcome.usage.map { "\($0.inputTokens)/\($0.outputTokens)" } ?? "-",
                        String(format: "%.2fs", outcome.duration.secondsValue),
                        outcome.quirks.isEmpty ? "-" : outcome.quirks.joined(separator: "; "),
                    ]
                }
                return Table.render(
                    header: [
                        "CHECK", "RESULT", "FINISH (RAW → NORMALISED)", "CALLS", "TOKENS IN/OUT", "TIME", "QUIRKS",
                    ],
                    rows: rows)
            }

            static func json(_ outcome: ProviderCheck.Outcome) -> JSONValue {
                [
                    "check": .string(outcome.name), "passed": .bool(outcome.passed), "finish": .string(outcome.finish),
                    "calls": .integer(outcome.calls),
                    "usage": outcome.usage.map {
                        ["input_tokens": .integer($0.inputTokens), "output_tokens": .integer($0.outputTokens)]
                    } ?? .null,
                    "quirks": .array(outcome.quirks.map(JSONValue.string)),
                    "problem": outcome.problem.map(JSONValue.string) ?? .null,
                ]
            }
        }
    }
}
