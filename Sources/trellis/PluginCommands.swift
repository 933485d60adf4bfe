import ArgumentParser
import Foundation
import TrellisCore
import TrellisPlugins

extension Trellis {
    /// `trellis plugin ...`.
    struct Plugin: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "plugin",
            abstract: "Work with executable plugins (plugins/NAME/plugin.yaml).", subcommands: [Check.self])

        /// `trellis plugin check DIR`.
        struct Check: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "check",
                abstract: "Check that a plugin folder follows the plugin protocol (docs/plugins.md).",
                discussion: """
                    Reads plugin.yaml, runs `command args --describe` when the manifest says describe: true, then \
                    sends every tool an empty call and a call with arguments built from its schema. A step \
                    conforms when the plugin exits 0 with a well-formed reply for that call (an error result \
                    is fine for the empty call). Exits 1 when a step does not conform, 2 when plugin.yaml is \
                    broken.
                    """)

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "The plugin folder, holding plugin.yaml.")
            var folder: String

            @Flag(help: "Print the report as JSON.")
            var json = false

            func run() async throws {
                let report = await PluginCheck.run(
                    folder: folder, environment: ProcessInfo.processInfo.environment,
                    workspace: WorkspaceOptions.absolute(workspace.root))
                if report.manifestIsBroken {
                    throw CLIFailure.invalid(report.steps.map(\.detail).joined(separator: "\n"))
                }
                Output.out(json ? Self.json(report).serialized() + "\n" : Self.text(report))
                if !report.conforms { throw CLIFailure(message: "", exitCode: 1) }
            }

            /// The table, then the full detail of every step that does not conform.
            static func text(_ report: PluginCheckReport) -> String {
                let rows = report.steps.map { step in
                    [
                        step.name, step.verdict.rawValue,
                        step.duration == .zero ? "-" : Self.milliseconds(step.duration),
                        String(step.detail.prefix { $0 != "\n" }),
                    ]
                }
                var text = "plugin \(report.folder)\n"
                text += Table.render(header: ["STEP", "RESULT", "TIME", "DETAIL"], rows: rows)
                let failing = report.steps.filter { $0.verdict == .fails }
                for step in failing where step.detail.contains("\n") {
                    text += "\n\(step.name):\n" + step.detail.split(separator: "\n").map { "  \($0)\n" }.joined()
                }
                text +=
                    failing.isEmpty
                    ? "\nconforms to protocol 1\n"
                    : "\n\(failing.count) of \(report.steps.count) steps do not conform\n"
                return text
            }

            static func json(_ report: PluginCheckReport) -> JSONValue {
                [
                    "folder": .string(report.folder), "conforms": .bool(report.conforms),
                    "steps": .array(
                        report.steps.map { step in
                            [
                                "step": .string(step.name), "result": .string(step.verdict.rawValue),
                                "detail": .string(step.detail),
                                "milliseconds": .integer(Int(step.duration.milliseconds)),
                            ]
                        }),
                ]
            }

            private static func milliseconds(_ duration: Duration) -> String {
                "\(Int((duration.secondsValue * 1000).rounded())) ms"
            }
        }
    }
}
