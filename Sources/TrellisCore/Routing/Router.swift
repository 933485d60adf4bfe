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

    /// What one classifier of the chain said: its scores, or why it said nothing.
    public struct Verdict: Sendable, Hashable {
        /// Which classifier.
        public var kind: ClassifierKind
        /// Its scores; `nil` when it failed.
        public var outcome: ClassifierOutcome?
        /// Why it failed (its provider's error).
        public var failure: String?
        /// How long it took.
        public var latency: Duration

        /// Creates a verdict.
        public init(kind: ClassifierKind, outcome: ClassifierOutcome? = nil, failure: String? = nil, latency: Duration)
        {
            self.kind = kind
            self.outcome = outcome
            self.failure = failure
            self.latency = latency
        }
    }

    /// Creates a router.
    public init(table: RouteTable, classifiers: [any RouteClassifier], agent: String) {
        self.table = table
        self.classifiers = classifiers
        self.agent = agent
    }

    /// The threshold of the chain's `index`th classifier: its own, else the table's.
    public func threshold(at index: Int) -> Double {
        table.classifiers.indices.contains(index)
            ? table.classifiers[index].threshold ?? table.threshold : table.threshold
    }

    /// The decision for `input`: classifiers run only until one is confident, so cheap inputs never pay for a model
    /// call.
    ///
    /// A classifier that fails (its provider is down) is skipped, and its error is part of the fallback reason
    /// if no later classifier decides; only cancellation is thrown.
    public func decide(_ input: String) async throws -> RouteDecision {
        var verdicts: [Verdict] = []
        for index in classifiers.indices {
            let verdict = try await self.verdict(of: index, on: input)
            verdicts.append(verdict)
            if case .route = judge(verdict, threshold: threshold(at: index)) { break }
        }
        return decision(from: verdicts)
    }

    /// What every classifier of the chain says about `input`, none skipped: for measuring a table
    /// (`trellis route eval --fit`), where ``decision(from:threshold:)`` then replays the chain at any threshold.
    public func verdicts(_ input: String) async throws -> [Verdict] {
        var verdicts: [Verdict] = []
        for index in classifiers.indices { verdicts.append(try await verdict(of: index, on: input)) }
        return verdicts
    }

    /// The decision the chain makes from its classifiers' verdicts, in order; `threshold` replaces every
    /// classifier's own when given.
    public func decision(from verdicts: [Verdict], threshold: Double? = nil) -> RouteDecision {
        var usage: Usage?
        var reasons: [String] = []
        var best = 0.0
        var latency = Duration.zero
        var last: Verdict?
        for (index, verdict) in verdicts.enumerated() {
            latency += verdict.latency
            if let spent = verdict.outcome?.usage { usage = usage.map { $0 + spent } ?? spent }
            if verdict.outcome != nil { last = verdict }
            best = max(best, verdict.outcome?.confidence ?? 0)
            switch judge(verdict, threshold: threshold ?? self.threshold(at: index)) {
            case .route(let route):
                let outcome = verdict.outcome
                return RouteDecision(
                    label: route.label, agent: route.agent, confidence: outcome?.confidence ?? 0,
                    classifier: verdict.kind.rawValue, runnerUp: outcome?.runnerUp, scores: outcome?.scores ?? [],
                    latency: latency, usage: usage)
            case .pass(let reason):
                reasons.append("\(verdict.kind.rawValue): \(reason)")
            }
        }
        let target = if case .agent(let name) = table.fallback { name } else { agent }
        return RouteDecision(
            label: nil, agent: target, confidence: best, classifier: last?.kind.rawValue ?? "none",
            runnerUp: last?.outcome?.runnerUp, scores: last?.outcome?.scores ?? [],
            fallbackReason: reasons.isEmpty ? "no classifier ran" : reasons.joined(separator: "; "), latency: latency,
            usage: usage)
    }

    private enum Judgement {
        case route(Route)
        case pass(String)
    }

    private func judge(_ verdict: Verdict, threshold: Double) -> Judgement {
        guard let outcome = verdict.outcome else { return .pass("failed (\(verdict.failure ?? "unknown error"))") }
        guard let top = outcome.top else { return .pass("no label scored") }
        if let runnerUp = outcome.runnerUp, runnerUp.score == top.score {
            return .pass("tie between \(top.label) and \(runnerUp.label)")
        }
        guard outcome.confidence >= threshold, let route = table.route(labelled: top.label) else {
            return .pass("\(top.label) at \(Self.text(outcome.confidence)) is below \(Self.text(threshold))")
        }
        return .route(route)
    }

    private func verdict(of index: Int, on input: String) async throws -> Verdict {
        let classifier = classifiers[index]
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let outcome = try await classifier.classify(input)
            return Verdict(kind: classifier.kind, outcome: outcome, latency: clock.now - start)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return Verdict(kind: classifier.kind, failure: "\(error)", latency: clock.now - start)
        }
    }

    /// `0.83`: two decimals.
    static func text(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}
