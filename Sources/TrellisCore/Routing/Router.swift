/// Applies a route table to an input: its classifiers run in order, the first whose confidence reaches its
/// threshold decides, and when none does the run goes to the fallback, with the reason written down.
///
/// ```swift
/// let router = Router(table: table, classifiers: [try KeywordClassifier(routes: table.routes)], agent: "desk")
/// let decision = try await router.decide("I was charged twice")
/// decision.agent           // "billing"
/// decision.fallbackReason  // nil
/// ```
public struct Router: Sendable {
    /// The table.
    public let table: RouteTable
    /// One classifier per entry of `table.classifiers`, in the same order.
    public let classifiers: [any RouteClassifier]
    /// The routing agent, which answers on `fallback: self`.
    public let agent: String

    /// Creates a router.
    public init(table: RouteTable, classifiers: [any RouteClassifier], agent: String) {
        self.table = table
        self.classifiers = classifiers
        self.agent = agent
    }

    /// The decision for `input`.
    ///
    /// A classifier that fails (its provider is down) is skipped, and its error is part of the fallback reason
    /// if no later classifier decides; only cancellation is thrown.
    public func decide(_ input: String) async throws -> RouteDecision {
        let clock = ContinuousClock()
        let start = clock.now
        var usage: Usage?
        var reasons: [String] = []
        var last: (kind: ClassifierKind, outcome: ClassifierOutcome)?
        var best = 0.0
        for (index, classifier) in classifiers.enumerated() {
            let threshold = table.classifiers.indices.contains(index)
                ? table.classifiers[index].threshold ?? table.threshold : table.threshold
            let outcome: ClassifierOutcome
            do {
                outcome = try await classifier.classify(input)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                reasons.append("\(classifier.kind.rawValue): failed (\(error))")
                continue
            }
            if let spent = outcome.usage { usage = usage.map { $0 + spent } ?? spent }
            last = (classifier.kind, outcome)
            best = max(best, outcome.confidence)
            guard let top = outcome.top else {
                reasons.append("\(classifier.kind.rawValue): no label scored")
                continue
            }
            if let runnerUp = outcome.runnerUp, runnerUp.score == top.score {
                reasons.append("\(classifier.kind.rawValue): tie between \(top.label) and \(runnerUp.label)")
                continue
            }
            guard outcome.confidence >= threshold, let route = table.route(labelled: top.label) else {
                reasons.append(
                    "\(classifier.kind.rawValue): \(top.label) at \(Self.text(outcome.confidence)) is below "
                        + Self.text(threshold))
                continue
            }
            return RouteDecision(
                label: route.label, agent: route.agent, confidence: outcome.confidence,
                classifier: classifier.kind.rawValue, runnerUp: outcome.runnerUp, scores: outcome.scores,
                latency: clock.now - start, usage: usage)
        }
        let target = if case .agent(let name) = table.fallback { name } else { agent }
        return RouteDecision(
            label: nil, agent: target, confidence: best, classifier: last?.kind.rawValue ?? "none",
            runnerUp: last?.outcome.runnerUp, scores: last?.outcome.scores ?? [],
            fallbackReason: reasons.joined(separator: "; "), latency: clock.now - start, usage: usage)
    }

    private static func text(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
