import Foundation
import TrellisCore

/// How route decisions and evaluations read on a terminal.
enum RouteText {
    /// `↪ billing (keyword 0.67, runner-up tech 0.33) · 0.1 ms`, or `↪ fallback to desk: keyword: no label scored`.
    static func line(_ decision: RouteDecision) -> String {
        let latency = RunProgress.format(decision.latency)
        guard let label = decision.label else {
            return "↪ fallback to \(decision.agent): \(decision.fallbackReason ?? "no decision") · \(latency)"
        }
        var text = "↪ \(label)"
        if label != decision.agent { text += " → \(decision.agent)" }
        text += " (\(decision.classifier) \(number(decision.confidence))"
        if let runnerUp = decision.runnerUp { text += ", runner-up \(runnerUp.label) \(number(runnerUp.score))" }
        return text + ") · \(latency)"
    }

    /// `scores: billing 2.00 (refund*, charged), tech 0.00`.
    static func scores(_ decision: RouteDecision) -> String {
        "scores: "
            + decision.scores.map { score in
                "\(score.label) \(number(score.score))"
                    + (score.evidence.isEmpty ? "" : " (" + score.evidence.joined(separator: ", ") + ")")
            }.joined(separator: ", ")
    }

    /// Two decimals.
    static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    /// `93.8%`, or `-` for no value.
    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
    }

    /// `12 tokens, cost 0.0012`, or `no model calls`.
    static func usage(_ usage: Usage?) -> String {
        guard let usage else { return "no model calls" }
        return "\(usage.totalTokens) tokens (\(usage.inputTokens) in, \(usage.outputTokens) out)"
            + (usage.cost.map { ", cost \(Usage.costText($0))" } ?? "")
    }
}
