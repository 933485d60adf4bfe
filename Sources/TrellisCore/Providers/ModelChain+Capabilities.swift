/// A chain offers what its adapters offer beyond chat: a chain built from `trellis.yaml` is what every caller gets,
/// so hiding the Yandex adapter's embeddings and few-shot classification behind it would lose them.
extension ModelChain: EmbeddingProvider, ClassificationProvider {
    /// Whether a link's adapter can embed text.
    public var canEmbed: Bool { links.contains { $0.provider is any EmbeddingProvider } }
    /// Whether a link's adapter can classify text with examples.
    public var canClassify: Bool { links.contains { $0.provider is any ClassificationProvider } }

    /// Embeds with the first link whose adapter can: with `model` when that is the first link, else with that
    /// link's own model.
    ///
    /// It does not fall back to a later link: vectors from two models are not comparable, so a classifier that
    /// cached one model's example vectors must not get another's for its input.
    public func embed(_ texts: [String], model: String) async throws -> [[Double]] {
        guard let index = links.firstIndex(where: { $0.provider is any EmbeddingProvider }),
            let embedder = links[index].provider as? any EmbeddingProvider
        else {
            throw ProviderError.unsupportedRequest(
                provider: links[0].model.provider, message: "no model of the chain offers embeddings")
        }
        return try await embedder.embed(texts, model: index == 0 ? model : links[index].model.name)
    }

    /// Classifies with the first link whose adapter can, falling back to the next such link as ``complete(_:)``
    /// does; `model` is used for the first link, each later link uses its own.
    public func classify(
        _ text: String, labels: [String], description: String, examples: [ClassificationExample], model: String
    ) async throws -> [ClassificationPrediction] {
        let capable = links.indices.filter { links[$0].provider is any ClassificationProvider }
        guard !capable.isEmpty else {
            throw ProviderError.unsupportedRequest(
                provider: links[0].model.provider, message: "no model of the chain offers few-shot classification")
        }
        var failures: [String] = []
        for (position, index) in capable.enumerated() {
            guard let classifier = links[index].provider as? any ClassificationProvider else { continue }
            do {
                return try await classifier.classify(
                    text, labels: labels, description: description, examples: examples,
                    model: index == 0 ? model : links[index].model.name)
            } catch {
                guard position + 1 < capable.count, Self.shouldFallBack(after: error) else {
                    throw Self.withEarlierFailures(error, failures)
                }
                failures.append("\(links[index].model): \(error)")
            }
        }
        preconditionFailure("the last capable link always returns or throws")
    }
}
