/// A provider that turns text into embedding vectors, for search and clustering.
///
/// Adapters whose vendor has an embedding endpoint conform to it beside ``ModelProvider``
/// (`YandexProvider` uses `textEmbedding`).
///
/// ```swift
/// let vectors = try await yandex.embed(["погода в Казани", "курс рубля"], model: "text-search-query")
/// vectors.count     // 2
/// vectors[0].count  // the model's dimension, such as 256
/// ```
public protocol EmbeddingProvider: Sendable {
    /// Embeds each text with `model`.
    ///
    /// - Parameters:
    ///   - texts: The texts, each embedded on its own.
    ///   - model: The provider's embedding model: a short name (`text-search-doc`) or a full model URI.
    /// - Returns: One vector per text, in the order of `texts`.
    /// - Throws: ``ProviderError`` after retries are exhausted, a setup error when the model cannot be named
    ///   (a short name without the provider's folder), or `CancellationError`.
    func embed(_ texts: [String], model: String) async throws -> [[Double]]
}
