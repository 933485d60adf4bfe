/// An agent's `routes:`: how the runtime picks the agent that answers an input, before the loop starts.
///
/// ```yaml
/// routes:
///   classifier: [{kind: keyword}, {kind: llm}]   # tried in order; the first confident answer wins
///   threshold: 0.6
///   to:
///     billing: {agent: billing, description: "payments, refunds", keywords: [refund, charged], examples: [...]}
///     tech: {agent: tech, description: "errors, outages"}
///   fallback: self
/// ```
public struct RouteTable: Sendable, Hashable {
    /// The confidence a decision needs when `threshold` is not written.
    public static let defaultThreshold = 0.5

    /// The classifiers, cheapest first; the first whose confidence reaches its threshold decides.
    public var classifiers: [ClassifierSpec]
    /// The confidence a decision needs, from 0 to 1, unless a classifier sets its own.
    public var threshold: Double
    /// The labels and the agents they hand the run to, in the order written.
    public var routes: [Route]
    /// Where the run goes when no classifier is confident.
    public var fallback: RouteFallback

    /// Creates a table.
    public init(
        classifiers: [ClassifierSpec], threshold: Double = defaultThreshold, routes: [Route],
        fallback: RouteFallback = .stay
    ) {
        self.classifiers = classifiers
        self.threshold = threshold
        self.routes = routes
        self.fallback = fallback
    }

    /// The route of `label`, if there is one.
    public func route(labelled label: String) -> Route? { routes.first { $0.label == label } }
}

/// One entry of `routes.to`: a label, the agent it hands the run to, and what classifiers know it by.
public struct Route: Sendable, Hashable {
    /// The label classifiers answer with (`billing`).
    public var label: String
    /// The agent the run goes to.
    public var agent: String
    /// What inputs belong here, for the `llm` classifier and `fewshot`'s task description.
    public var description: String?
    /// Inputs that belong here: few-shot samples, embedding references, examples in the `llm` prompt.
    public var examples: [String]
    /// Words, phrases and `/regular expressions/` for the `keyword` classifier.
    public var keywords: [String]

    /// Creates a route.
    public init(
        label: String, agent: String, description: String? = nil, examples: [String] = [], keywords: [String] = []
    ) {
        self.label = label
        self.agent = agent
        self.description = description
        self.examples = examples
        self.keywords = keywords
    }
}

/// Where a run goes when no classifier is confident enough.
public enum RouteFallback: Sendable, Hashable {
    /// The routing agent answers itself (`fallback: self`).
    case stay
    /// This agent answers.
    case agent(String)
}

/// The kinds of classifier `routes.classifier` names.
public enum ClassifierKind: String, Sendable, Hashable, CaseIterable {
    /// Words and patterns per label, offline and deterministic.
    case keyword
    /// The input's embedding against the examples' (cached).
    case embedding
    /// Yandex `fewShotTextClassification` with the examples as samples.
    case fewshot
    /// A chat model picks a label, answering in a structured form.
    case llm
}

/// One classifier of a chain: its kind, its own threshold, and the model it calls (for the kinds that call one).
public struct ClassifierSpec: Sendable, Hashable {
    /// Which classifier.
    public var kind: ClassifierKind
    /// The confidence this classifier needs to decide; the table's threshold when `nil`.
    public var threshold: Double?
    /// The model it calls (`embedding`, `fewshot`, `llm`); the agent's own model for `llm` when `nil`.
    public var model: ModelReference?

    /// Creates a classifier entry.
    public init(kind: ClassifierKind, threshold: Double? = nil, model: ModelReference? = nil) {
        self.kind = kind
        self.threshold = threshold
        self.model = model
    }
}
