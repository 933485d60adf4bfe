/// A text with the label it should get: one example for a few-shot classifier.
public struct ClassificationExample: Sendable, Hashable {
    /// The example text.
    public var text: String
    /// The label the text belongs to.
    public var label: String

    /// Creates an example.
    public init(text: String, label: String) {
        self.text = text
        self.label = label
    }
}

/// One label and how likely the classified text belongs to it.
public struct ClassificationPrediction: Sendable, Hashable {
    /// The label.
    public var label: String
    /// The probability, from 0 to 1.
    public var confidence: Double

    /// Creates a prediction.
    public init(label: String, confidence: Double) {
        self.label = label
        self.confidence = confidence
    }
}

/// A provider that sorts a text into one of the given labels from a description and a few examples.
///
/// ```swift
/// let predictions = try await yandex.classify(
///     "Не пришёл заказ", labels: ["доставка", "оплата"], description: "Тема обращения",
///     examples: [ClassificationExample(text: "Где моя посылка?", label: "доставка")], model: "yandexgpt-lite")
/// predictions.first?.label  // "доставка"
/// ```
public protocol ClassificationProvider: Sendable {
    /// Classifies `text` into `labels`.
    ///
    /// - Parameters:
    ///   - text: The text to classify.
    ///   - labels: The possible labels; give them meaningful names (`chemistry`, not `chem`).
    ///   - description: What the classification is about, in one sentence.
    ///   - examples: Texts with their expected labels, as hints; may be empty.
    ///   - model: The provider's classifier: a short name (`yandexgpt-lite`) or a full model URI.
    /// - Returns: A prediction per label, most confident first.
    /// - Throws: ``ProviderError`` after retries are exhausted, a setup error when the model cannot be named, or
    ///   `CancellationError`.
    func classify(
        _ text: String, labels: [String], description: String, examples: [ClassificationExample], model: String
    ) async throws -> [ClassificationPrediction]
}
