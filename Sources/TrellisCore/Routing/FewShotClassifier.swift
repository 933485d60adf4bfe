/// The `fewshot` classifier: a provider's few-shot text classification (Yandex `fewShotTextClassification`), with
/// the routes' examples as samples and the confidences it returns as scores.
///
/// The task description is the routes' descriptions, one per label. Yandex accepts at most ``maxLabels`` labels.
public struct FewShotClassifier: RouteClassifier {
    /// The most labels the Yandex classifier accepts.
    public static let maxLabels = 20

    public var kind: ClassifierKind { .fewshot }
    let provider: any ClassificationProvider
    let model: String
    let routes: [Route]
    let description: String
    let examples: [ClassificationExample]

    /// Creates a classifier.
    ///
    /// - Throws: ``RouteSetupError`` when there are more routes than ``maxLabels``.
    public init(provider: any ClassificationProvider, model: String, routes: [Route]) throws(RouteSetupError) {
        guard routes.count <= Self.maxLabels else {
            throw RouteSetupError(
                "fewshot classifies into at most \(Self.maxLabels) labels; this table has \(routes.count)")
        }
        self.provider = provider
        self.model = model
        self.routes = routes
        let described = routes.compactMap { route in route.description.map { "\(route.label): \($0)" } }
        self.description =
            "Which team should handle the message"
            + (described.isEmpty ? "" : " (" + described.joined(separator: "; ") + ")")
        self.examples = routes.flatMap { route in
            route.examples.map { ClassificationExample(text: $0, label: route.label) }
        }
    }

    public func classify(_ input: String) async throws -> ClassifierOutcome {
        let predictions = try await provider.classify(
            input, labels: routes.map(\.label), description: description, examples: examples, model: model)
        let scores = routes.map { route in
            LabelScore(
                label: route.label,
                score: predictions.first { $0.label == route.label }.map { min(1, max(0, $0.confidence)) } ?? 0)
        }
        var outcome = ClassifierOutcome(scores: scores, confidence: 0)
        outcome.confidence = outcome.scores.first?.score ?? 0
        return outcome
    }
}

/// A route table that cannot be turned into a classifier.
public struct RouteSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
