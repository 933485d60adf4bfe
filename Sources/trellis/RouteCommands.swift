import ArgumentParser
import Foundation
import TrellisConfig
import TrellisCore
import TrellisRuntime

extension Trellis {
    /// `trellis route AGENT INPUT` and `trellis route eval AGENT CASES`.
    struct Route: TrellisCommand {
        static let configuration = CommandConfiguration(
            commandName: "route",
            abstract: "Show where an agent's routes send an input, or measure them on labelled cases.",
            subcommands: [Decide.self, Eval.self], defaultSubcommand: Decide.self)

        /// `trellis route AGENT INPUT`.
        struct Decide: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "decide",
                abstract: "Print the route an input takes and every label's score, without running the target.",
                discussion: """
                    Only the routing agent's own table is applied (one hop). Classifiers that call a model do call \
                    it. Exit status: 0 when a route was chosen or the table fell back, 2 for bad usage or an agent \
                    without routes.
                    """)

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "An agent with routes: (name or file).")
            var agent: String

            @Argument(help: "The input to route.")
            var input: String

            @Flag(help: "Print the decision as one JSON object.")
            var json = false

            func run() async throws {
                let decision = try await RouteSetup(workspace: workspace, agent: agent).withRouter { router in
                    try await router.decide(input)
                }
                if json {
                    Output.out(decision.json.serialized() + "\n")
                    return
                }
                Output.out(Self.text(decision))
            }

            static func text(_ decision: RouteDecision) -> String {
                var lines: [String] = []
                if let label = decision.label {
                    lines.append("route:      \(label) → agent \(decision.agent)")
                    lines.append(
                        "classifier: \(decision.classifier), confidence \(RouteText.number(decision.confidence))")
                    if let runnerUp = decision.runnerUp {
                        lines.append("runner-up:  \(runnerUp.label) \(RouteText.number(runnerUp.score))")
                    }
                } else {
                    lines.append("route:      fallback → agent \(decision.agent)")
                    lines.append("reason:     \(decision.fallbackReason ?? "no decision")")
                }
                lines.append("latency:    \(RunProgress.format(decision.latency))")
                if let usage = decision.usage { lines.append("usage:      \(RouteText.usage(usage))") }
                var text = lines.joined(separator: "\n") + "\n"
                if !decision.scores.isEmpty {
                    text +=
                        "\n"
                        + Table.render(
                            header: ["LABEL", "SCORE", "WHY"],
                            rows: decision.scores.map {
                                [$0.label, RouteText.number($0.score), $0.evidence.joined(separator: ", ")]
                            })
                }
                return text
            }
        }

        /// `trellis route eval AGENT CASES.jsonl`.
        struct Eval: TrellisCommand {
            static let configuration = CommandConfiguration(
                commandName: "eval",
                abstract:
                    "Measure an agent's routes on labelled cases: accuracy, precision and recall, a confusion matrix.",
                discussion: """
                    CASES is JSON Lines: one {"input": "...", "label": "billing"} per line; "label": "fallback" (or \
                    null) for an input that should fall back. Blank lines are skipped. Exit status: 0, 1 when \
                    accuracy is below --min-accuracy, 2 for bad usage or a bad case (named by line).
                    """)

            @OptionGroup var workspace: WorkspaceOptions

            @Argument(help: "An agent with routes: (name or file).")
            var agent: String

            @Argument(help: "The cases file (JSON Lines).")
            var cases: String

            @Option(
                help: ArgumentHelp("Exit 1 when the accuracy is below this (0 to 1, or a percentage).", valueName: "x"))
            var minAccuracy: String?

            @Flag(help: "Also print the threshold that maximises accuracy on the cases (asks every classifier).")
            var fit = false

            @Flag(help: "Print the evaluation as one JSON object.")
            var json = false

            func run() async throws {
                let minimum = try minAccuracy.map(Self.fraction)
                let setup = RouteSetup(workspace: workspace, agent: agent)
                let (evaluation, fitted) = try await setup.withRouter { router in
                    let items = try CaseFile.read(cases, labels: router.table.routes.map(\.label))
                    var evaluated: [RouteEvaluation.Case] = []
                    for item in items {
                        if fit {
                            let verdicts = try await router.verdicts(item.input)
                            evaluated.append(
                                RouteEvaluation.Case(
                                    input: item.input, expected: item.label, decision: router.decision(from: verdicts),
                                    verdicts: verdicts))
                        } else {
                            evaluated.append(
                                RouteEvaluation.Case(
                                    input: item.input, expected: item.label,
                                    decision: try await router.decide(item.input))
                            )
                        }
                    }
                    let evaluation = RouteEvaluation(labels: router.table.routes.map(\.label), cases: evaluated)
                    return (evaluation, fit ? evaluation.fit(with: router) : nil)
                }
                Output.out(
                    json ? Self.json(evaluation, fit: fitted).serialized() + "\n" : Self.text(evaluation, fit: fitted))
                if let minimum, evaluation.accuracy < minimum {
                    Output.error(
                        "accuracy \(RouteText.percent(evaluation.accuracy)) is below --min-accuracy "
                            + RouteText.percent(minimum))
                    throw ExitCode(1)
                }
            }

            /// `0.9`, `90` or `90%` as 0.9.
            static func fraction(_ text: String) throws -> Double {
                let trimmed = text.hasSuffix("%") ? String(text.dropLast()) : text
                guard let value = Double(trimmed), value.isFinite, value >= 0,
                    value <= (text.hasSuffix("%") || value > 1 ? 100 : 1)
                else {
                    throw CLIFailure.invalid(
                        "--min-accuracy: '\(text)' is not a fraction from 0 to 1 or a percentage", code: .invalidUsage)
                }
                return text.hasSuffix("%") || value > 1 ? value / 100 : value
            }

            static func text(_ evaluation: RouteEvaluation, fit: RouteEvaluation.Fit?) -> String {
                let right = evaluation.cases.filter(\.isCorrect).count
                var text =
                    "\(evaluation.cases.count) cases: accuracy \(RouteText.percent(evaluation.accuracy)) "
                    + "(\(right)/\(evaluation.cases.count)), fallback rate \(RouteText.percent(evaluation.fallbackRate))\n\n"
                text += Table.render(
                    header: ["ROUTE", "CASES", "PRECISION", "RECALL"],
                    rows: evaluation.stats.map {
                        [$0.label, "\($0.support)", RouteText.percent($0.precision), RouteText.percent($0.recall)]
                    })
                let matrix = evaluation.matrix
                let shown = evaluation.labels.filter { label in
                    evaluation.cases.contains { $0.expected == label || $0.predicted == label }
                }
                text += "\nconfusion (rows: the right label; columns: where the router sent it)\n"
                text += Table.render(
                    header: ["EXPECTED"] + shown,
                    rows: shown.map { expected in
                        [expected] + shown.map { "\(matrix[expected]?[$0] ?? 0)" }
                    })
                let misrouted = evaluation.misrouted
                text += "\nmisrouted: \(misrouted.isEmpty ? "none" : "\(misrouted.count)")\n"
                for item in misrouted {
                    let decision = item.decision
                    let why =
                        decision.label == nil
                        ? decision.fallbackReason ?? ""
                        : "\(decision.classifier) \(RouteText.number(decision.confidence))"
                    text +=
                        "  \"\(RunProgress.shortened(item.input, to: 60))\": \(item.expected) → "
                        + "\(item.predicted) (\(why))\n"
                }
                text +=
                    "\nlatency: mean \(RunProgress.format(evaluation.meanLatency)), p95 "
                    + "\(RunProgress.format(evaluation.p95Latency))\n"
                text += "usage: \(RouteText.usage(evaluation.usage))\n"
                if let fit {
                    text +=
                        "fit: threshold \(RouteText.number(fit.threshold)) gives accuracy "
                        + "\(RouteText.percent(fit.accuracy)), fallback rate \(RouteText.percent(fit.fallbackRate))\n"
                }
                return text
            }

            static func json(_ evaluation: RouteEvaluation, fit: RouteEvaluation.Fit?) -> JSONValue {
                let optional: (Double?) -> JSONValue = { $0.map(JSONValue.number) ?? .null }
                return [
                    "cases": .integer(evaluation.cases.count),
                    "accuracy": .number(evaluation.accuracy),
                    "fallback_rate": .number(evaluation.fallbackRate),
                    "routes": .array(
                        evaluation.stats.map {
                            [
                                "label": .string($0.label), "cases": .integer($0.support),
                                "precision": optional($0.precision), "recall": optional($0.recall),
                            ]
                        }),
                    "matrix": .object(
                        JSONObject(
                            evaluation.matrix.keys.sorted().map { expected in
                                let row = evaluation.matrix[expected] ?? [:]
                                return (
                                    expected,
                                    JSONValue.object(
                                        JSONObject(row.keys.sorted().map { ($0, JSONValue.integer(row[$0]!)) }))
                                )
                            })),
                    "misrouted": .array(
                        evaluation.misrouted.map {
                            [
                                "input": .string($0.input), "expected": .string($0.expected),
                                "predicted": .string($0.predicted), "decision": $0.decision.json,
                            ]
                        }),
                    "latency_ms": [
                        "mean": .number(evaluation.meanLatency.secondsValue * 1000),
                        "p95": .number(evaluation.p95Latency.secondsValue * 1000),
                    ],
                    "usage": evaluation.usage?.json ?? .null,
                    "fit": fit.map {
                        [
                            "threshold": .number($0.threshold), "accuracy": .number($0.accuracy),
                            "fallback_rate": .number($0.fallbackRate),
                        ]
                    } ?? .null,
                ]
            }
        }
    }
}

/// Loads a workspace and builds one agent's router for the `route` commands.
struct RouteSetup {
    let workspace: WorkspaceOptions
    let agent: String

    func withRouter<R: Sendable>(_ body: (Router) async throws -> R) async throws -> R {
        var workspace = self.workspace
        let byPath = WorkspaceOptions.isPath(agent)
        if byPath, workspace.chosenRoot == nil, let root = WorkspaceOptions.workspace(ofAgentFile: agent) {
            workspace.root = root
        }
        let loaded = try workspace.load(extraAgentFiles: byPath ? [agent] : [])
        let file = try workspace.agent(agent, in: loaded)
        let definition: AgentDefinition
        do {
            definition = try file.resolved()
        } catch {
            throw CLIFailure.invalid(error.description)
        }
        return try await workspace.withAgents(in: loaded) { agents in
            guard let router = try agents.makeRouter(for: definition) else {
                throw CLIFailure.invalid(
                    "agent '\(definition.name)' has no routes: (add a routes: table to \(file.path))",
                    code: .invalidUsage)
            }
            return try await body(router)
        }
    }
}

/// A `route eval` cases file: JSON Lines of `{"input", "label"}`.
enum CaseFile {
    struct Item {
        var input: String
        var label: String
    }

    static func read(_ path: String, labels: [String]) throws -> [Item] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure.invalid("\(path): cannot read the cases file", code: .invalidInput)
        }
        let known = labels + [RouteEvaluation.fallbackLabel]
        var items: [Item] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let place = "\(path):\(index + 1)"
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            guard let value = try? JSONValue.parse(String(line)), case .object = value else {
                throw CLIFailure.invalid("\(place): not a JSON object", code: .invalidInput)
            }
            guard let input = value["input"]?.stringValue else {
                throw CLIFailure.invalid("\(place): 'input' must be a string", code: .invalidInput)
            }
            let label: String
            switch value["label"] {
            case nil, .null?: label = RouteEvaluation.fallbackLabel
            case .string(let text)?: label = text
            default: throw CLIFailure.invalid("\(place): 'label' must be a string or null", code: .invalidInput)
            }
            guard known.contains(label) else {
                throw CLIFailure.invalid(
                    "\(place): label '\(label)' is not a route\(Suggestions.hint(for: label, in: known)); labels: "
                        + known.joined(separator: ", "), code: .invalidInput)
            }
            items.append(Item(input: input, label: label))
        }
        guard !items.isEmpty else { throw CLIFailure.invalid("\(path): no cases", code: .invalidInput) }
        return items
    }
}
