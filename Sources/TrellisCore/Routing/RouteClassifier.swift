/// Labels an input with one of a route table's labels, with a score per label.
///
/// One type per kind (``KeywordClassifier``, ...), built for one table's routes. A classifier scores; the router
/// applies thresholds, chains and the fallback, so every kind is judged the same way.
public protocol RouteClassifier: Sendable {
    /// Which kind it is, as the decision names it.
    var kind: ClassifierKind { get }

    /// Scores `input` against every route.
    ///
    /// - Throws: The provider's error when a classifier that calls a model cannot reach it.
    func classify(_ input: String) async throws -> ClassifierOutcome
}

/// What one classifier said about an input.
public struct ClassifierOutcome: Sendable, Hashable {
    /// Every route's score, highest first (ties in the order the routes were written).
    public var scores: [LabelScore]
    /// How sure the classifier is of the first label, from 0 to 1.
    public var confidence: Double
    /// Tokens the classifier spent, for the kinds that call a model.
    public var usage: Usage?

    /// Creates an outcome; `scores` are sorted highest first.
    public init(scores: [LabelScore], confidence: Double, usage: Usage? = nil) {
        self.scores = scores.enumerated().sorted {
            $0.element.score == $1.element.score ? $0.offset < $1.offset : $0.element.score > $1.element.score
        }.map(\.element)
        self.confidence = confidence
        self.usage = usage
    }

    /// The best label, when any scored above zero.
    public var top: LabelScore? { scores.first.flatMap { $0.score > 0 ? $0 : nil } }
    /// The second-best label, when any scored above zero.
    public var runnerUp: LabelScore? { scores.dropFirst().first.flatMap { $0.score > 0 ? $0 : nil } }
}

/// One label's score, and what earned it.
public struct LabelScore: Sendable, Hashable {
    /// The route's label.
    public var label: String
    /// The score: matches for `keyword`, a similarity or a probability for the others.
    public var score: Double
    /// Why: the keywords that matched, the nearest example, ...
    public var evidence: [String]

    /// Creates a score.
    public init(label: String, score: Double, evidence: [String] = []) {
        self.label = label
        self.score = score
        self.evidence = evidence
    }
}

extension LabelScore: Codable {}
