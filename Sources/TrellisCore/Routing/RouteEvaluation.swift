/// How well a router labels a set of cases whose right label is known: accuracy, precision and recall per
/// route, a confusion matrix, the misrouted cases, latency and cost (`trellis route eval`).
///
/// A case that should fall back has the label ``fallbackLabel``; a decision that fell back counts as that label.
public struct RouteEvaluation: Sendable, Hashable {
    /// The label of a fallback, in cases and in the matrix.
    public static let fallbackLabel = "fallback"

    /// One case and what the router made of it.
    public struct Case: Sendable, Hashable {
        /// The input.
        public var input: String
        /// The right label.
        public var expected: String
        /// The decision.
        public var decision: RouteDecision
        /// Every classifier's verdict, when they were all asked (for ``fit()``).
        public var verdicts: [Router.Verdict]

        /// Creates a case.
        public init(input: String, expected: String, decision: RouteDecision, verdicts: [Router.Verdict] = []) {
            self.input = input
            self.expected = expected
            self.decision = decision
            self.verdicts = verdicts
        }

        /// The label the router gave: the route's, or ``RouteEvaluation/fallbackLabel``.
        public var predicted: String { decision.label ?? RouteEvaluation.fallbackLabel }
        /// Whether it is the right one.
        public var isCorrect: Bool { predicted == expected }
    }

    /// One label's precision and recall.
    public struct LabelStats: Sendable, Hashable {
        /// The label.
        public var label: String
        /// Cases with this label.
        public var support: Int
        /// Of the cases given this label, the share that have it; `nil` when none was given it.
        public var precision: Double?
        /// Of the cases with this label, the share given it; `nil` when no case has it.
        public var recall: Double?
    }

    /// The labels, in the table's order, then ``fallbackLabel``.
    public var labels: [String]
    /// The cases, in the order they were read.
    public var cases: [Case]

    /// Creates an evaluation; `labels` are the table's, in order.
    public init(labels: [String], cases: [Case]) {
        self.labels = labels.filter { $0 != Self.fallbackLabel } + [Self.fallbackLabel]
        self.cases = cases
    }

    /// The share of cases labelled right, from 0 to 1 (0 without cases).
    public var accuracy: Double {
        cases.isEmpty ? 0 : Double(cases.filter(\.isCorrect).count) / Double(cases.count)
    }

    /// The share of cases that fell back.
    public var fallbackRate: Double {
        cases.isEmpty ? 0 : Double(cases.filter { $0.decision.label == nil }.count) / Double(cases.count)
    }

    /// `matrix[expected][predicted]`: how many cases with the first label got the second.
    public var matrix: [String: [String: Int]] {
        var matrix: [String: [String: Int]] = [:]
        for item in cases { matrix[item.expected, default: [:]][item.predicted, default: 0] += 1 }
        return matrix
    }

    /// Precision and recall of every label that a case has or a decision gave.
    public var stats: [LabelStats] {
        labels.compactMap { label in
            let support = cases.filter { $0.expected == label }.count
            let given = cases.filter { $0.predicted == label }.count
            guard support > 0 || given > 0 else { return nil }
            let right = cases.filter { $0.expected == label && $0.isCorrect }.count
            return LabelStats(
                label: label, support: support, precision: given > 0 ? Double(right) / Double(given) : nil,
                recall: support > 0 ? Double(right) / Double(support) : nil)
        }
    }

    /// The cases labelled wrong, in order.
    public var misrouted: [Case] { cases.filter { !$0.isCorrect } }

    /// The mean decision latency.
    public var meanLatency: Duration {
        cases.isEmpty ? .zero : cases.reduce(Duration.zero) { $0 + $1.decision.latency } / cases.count
    }

    /// The 95th-percentile decision latency (nearest rank).
    public var p95Latency: Duration {
        let sorted = cases.map(\.decision.latency).sorted()
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((Double(sorted.count) * 0.95).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    /// Tokens and cost the classifiers spent over every case; `nil` when none reported usage.
    public var usage: Usage? {
        cases.compactMap(\.decision.usage).reduce(nil) { total, spent in total.map { $0 + spent } ?? spent }
    }

    /// The threshold that would have labelled the most cases right, and the fallback rate at it.
    public struct Fit: Sendable, Hashable {
        /// The threshold, applied to every classifier of the chain.
        public var threshold: Double
        /// The accuracy at that threshold.
        public var accuracy: Double
        /// The share of cases that fall back at that threshold.
        public var fallbackRate: Double
    }

    /// Replays every case's verdicts through `router` at each threshold that changes a decision (0, and each
    /// confidence seen) and keeps the most accurate; of equally accurate thresholds, the highest, which falls
    /// back most readily when unsure. `nil` without verdicts.
    public func fit(with router: Router) -> Fit? {
        guard !cases.isEmpty, cases.allSatisfy({ !$0.verdicts.isEmpty }) else { return nil }
        let seen = cases.flatMap { $0.verdicts.compactMap { $0.outcome?.confidence } }
        let candidates = Set([0.0] + seen.filter { $0 >= 0 && $0 <= 1 }).sorted()
        var best: Fit?
        for threshold in candidates {
            let replayed = cases.map { item in
                var copy = item
                copy.decision = router.decision(from: item.verdicts, threshold: threshold)
                return copy
            }
            let evaluation = RouteEvaluation(labels: labels, cases: replayed)
            let fit = Fit(threshold: threshold, accuracy: evaluation.accuracy, fallbackRate: evaluation.fallbackRate)
            if best.map({ fit.accuracy >= $0.accuracy }) ?? true { best = fit }
        }
        return best
    }
}
