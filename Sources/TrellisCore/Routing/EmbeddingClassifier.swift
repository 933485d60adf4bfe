import Synchronization

/// The `embedding` classifier: the input's embedding against the routes' examples, by cosine similarity.
///
/// Each route is scored by its nearest example (its description counts as one when it has no examples). The
/// confidence is the top similarity; the evidence names the nearest example and the margin over the runner-up.
/// The examples are embedded once: their vectors come from `cache` (a file under `.trellis/cache/` in the CLI)
/// or are embedded in one request and stored there, and are kept normalised in memory for the process's life, so a
/// decision costs one embedding call and a dot product per example.
public struct EmbeddingClassifier: RouteClassifier {
    public var kind: ClassifierKind { .embedding }
    let provider: any EmbeddingProvider
    let documentModel: String
    let queryModel: String
    let routes: [Route]
    let cache: (any EmbeddingCache)?
    let cacheScope: String
    private let references = References()

    /// Creates a classifier.
    ///
    /// - Parameters:
    ///   - provider: What embeds the texts.
    ///   - documentModel: The model for the examples (Yandex: `text-search-doc`).
    ///   - queryModel: The model for the input (Yandex: `text-search-query`); often the same.
    ///   - routes: The routes and their examples.
    ///   - cache: Where example vectors are kept between processes.
    ///   - cacheScope: What tells this provider's vectors from another's in the cache (`provider name/model`).
    public init(
        provider: any EmbeddingProvider, documentModel: String, queryModel: String, routes: [Route],
        cache: (any EmbeddingCache)? = nil, cacheScope: String
    ) {
        self.provider = provider
        self.documentModel = documentModel
        self.queryModel = queryModel
        self.routes = routes
        self.cache = cache
        self.cacheScope = cacheScope
    }

    /// Each route's reference texts: its examples, else its description, else its label.
    var referenceTexts: [(label: String, text: String)] {
        routes.flatMap { route in
            let texts = !route.examples.isEmpty ? route.examples : [route.description ?? route.label]
            return texts.map { (route.label, $0) }
        }
    }

    public func classify(_ input: String) async throws -> ClassifierOutcome {
        let examples = try await exampleMatrix()
        guard let query = try await provider.embed([input], model: queryModel).first else {
            throw RouteSetupError("the embedding provider returned no vector for the input")
        }
        return examples.outcome(query: query, routes: routes)
    }

    /// The examples' vectors, normalised, in one matrix: from memory, else the cache, else the provider.
    func exampleMatrix() async throws -> ExampleMatrix {
        if let known = references.matrix.withLock({ $0 }) { return known }
        let texts = referenceTexts
        let keys = texts.map { EmbeddingCacheKey(scope: cacheScope, model: documentModel, text: $0.text) }
        var found = cache?.vectors(for: keys) ?? [:]
        let missing = keys.indices.filter { found[keys[$0]] == nil }
        if !missing.isEmpty {
            let vectors = try await provider.embed(missing.map { texts[$0].text }, model: documentModel)
            guard vectors.count == missing.count else {
                throw RouteSetupError(
                    "the embedding provider returned \(vectors.count) vectors for \(missing.count) examples")
            }
            var fresh: [EmbeddingCacheKey: [Double]] = [:]
            for (index, vector) in zip(missing, vectors) { fresh[keys[index]] = vector }
            cache?.store(fresh)
            found.merge(fresh) { _, new in new }
        }
        let matrix = ExampleMatrix(
            examples: texts.indices.map { (texts[$0].label, texts[$0].text, found[keys[$0]] ?? []) })
        references.matrix.withLock { $0 = matrix }
        return matrix
    }

    private final class References: Sendable {
        let matrix = Mutex<ExampleMatrix?>(nil)
    }
}

/// Example vectors, normalised to unit length and packed row by row as 32-bit floats, so scoring an input is one
/// pass over contiguous memory (10 routes × 20 examples × 1,024 dimensions is 800 KB).
struct ExampleMatrix: Sendable {
    let dimension: Int
    let values: [Float]
    /// Each row's label, as a position in ``labels``: scoring a row then costs no string hashing.
    let rowLabels: [Int]
    /// The labels, each once, in the order they first appear.
    let labels: [String]
    /// Where each label is in ``labels``.
    let labelPositions: [String: Int]
    let texts: [String]

    /// Packs `examples`; a vector whose length differs from the first's is left out (it cannot be compared).
    init(examples: [(label: String, text: String, vector: [Double])]) {
        let dimension = examples.first?.vector.count ?? 0
        var values: [Float] = []
        var rowLabels: [Int] = []
        var labels: [String] = []
        var labelPositions: [String: Int] = [:]
        var texts: [String] = []
        for example in examples where example.vector.count == dimension && dimension > 0 {
            values += Self.normalised(example.vector)
            let position = labelPositions[example.label] ?? labels.count
            if position == labels.count {
                labels.append(example.label)
                labelPositions[example.label] = position
            }
            rowLabels.append(position)
            texts.append(example.text)
        }
        self.dimension = dimension
        self.values = values
        self.rowLabels = rowLabels
        self.labels = labels
        self.labelPositions = labelPositions
        self.texts = texts
    }

    /// Each route scored by its nearest example's cosine; the confidence is the top similarity, the evidence the
    /// nearest example and the margin over the runner-up.
    func outcome(query: [Double], routes: [Route]) -> ClassifierOutcome {
        var best = [(score: Float, row: Int)](repeating: (-2, -1), count: labels.count)
        if query.count == dimension, dimension > 0 {
            let normal = Self.normalised(query)
            normal.withUnsafeBufferPointer { q in
                values.withUnsafeBufferPointer { matrix in
                    for (row, label) in rowLabels.enumerated() {
                        let score = Self.dot(q, matrix, offset: row * dimension, count: dimension)
                        if score > best[label].score { best[label] = (score, row) }
                    }
                }
            }
        }
        let scores = routes.map { route in
            let nearest = labelPositions[route.label].map { best[$0] }.flatMap { $0.row >= 0 ? $0 : nil }
            return LabelScore(
                label: route.label, score: max(0, Double(nearest?.score ?? 0)),
                evidence: nearest.map { ["nearest: \(texts[$0.row])"] } ?? [])
        }
        var outcome = ClassifierOutcome(scores: scores, confidence: 0)
        outcome.confidence = min(1, outcome.scores.first?.score ?? 0)
        if let top = outcome.scores.first, outcome.scores.count > 1 {
            outcome.scores[0].evidence.append("margin " + Router.text(top.score - outcome.scores[1].score))
        }
        return outcome
    }

    static func normalised(_ vector: [Double]) -> [Float] {
        var length = 0.0
        for value in vector { length += value * value }
        length = length.squareRoot()
        guard length > 0, length.isFinite else { return vector.map { _ in 0 } }
        return vector.map { Float($0 / length) }
    }

    /// The dot product of `query` with `count` values of `matrix` from `offset`, eight lanes at a time.
    static func dot(
        _ query: UnsafeBufferPointer<Float>, _ matrix: UnsafeBufferPointer<Float>, offset: Int, count: Int
    ) -> Float {
        guard let q = query.baseAddress, let m = matrix.baseAddress.map({ $0 + offset }) else { return 0 }
        var first = SIMD8<Float>()
        var second = SIMD8<Float>()
        var index = 0
        while index + 16 <= count {
            first +=
                UnsafeRawPointer(q + index).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(m + index).loadUnaligned(as: SIMD8<Float>.self)
            second +=
                UnsafeRawPointer(q + index + 8).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(m + index + 8).loadUnaligned(as: SIMD8<Float>.self)
            index += 16
        }
        var sum = (first + second).sum()
        while index < count {
            sum += q[index] * m[index]
            index += 1
        }
        return sum
    }
}

/// Where an ``EmbeddingClassifier`` keeps example vectors between processes.
public protocol EmbeddingCache: Sendable {
    /// The vectors known for `keys`; a key not known is missing from the result.
    func vectors(for keys: [EmbeddingCacheKey]) -> [EmbeddingCacheKey: [Double]]
    /// Keeps `vectors`; a failure to keep them only costs a later embedding call.
    func store(_ vectors: [EmbeddingCacheKey: [Double]])
}

/// What a cached vector is known by: the provider, the model and the text's hash.
public struct EmbeddingCacheKey: Sendable, Hashable {
    /// The provider's name and kind, or anything else that tells two providers' vectors apart.
    public var scope: String
    /// The embedding model.
    public var model: String
    /// A 128-bit hash of the text, in hex.
    public var textHash: String

    /// The key of `text` embedded by `model` of `scope`.
    public init(scope: String, model: String, text: String) {
        self.scope = scope
        self.model = model
        self.textHash = Self.hash(text)
    }

    /// Two FNV-1a 64-bit hashes with different offsets: 128 bits, stable across processes and builds (Swift's
    /// own `Hasher` is seeded per process).
    static func hash(_ text: String) -> String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for byte in text.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(first) + hex(second)
    }
}
