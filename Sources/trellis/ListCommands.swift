import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisProviders

extension Trellis {
    /// `trellis agents`.
    struct Agents: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "agents", abstract: "List the workspace's agents.")

        @OptionGroup var workspace: WorkspaceOptions

        func run() async throws {
            let loaded = try workspace.load()
            let rows = loaded.agents.map { file in
                [file.definition.name, file.definition.model.description, file.definition.description ?? ""]
            }
            Output.out(Table.render(header: ["AGENT", "MODEL", "DESCRIPTION"], rows: rows))
        }
    }

    /// `trellis schema [agent|workspace]`.
    struct Schema: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the JSON Schema of agent files or trellis.yaml, for editor completion.")

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case agent, workspace
        }

        @Argument(help: "agent or workspace.")
        var kind: Kind = .agent

        func run() async throws {
            let schema =
                kind == .agent ? ConfigSchema.agent : ConfigSchema.workspace(providerKinds: ProviderFactory.kinds)
            Output.out(schema.serialized(pretty: true) + "\n")
        }
    }
}

/// Left-aligned text columns.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
