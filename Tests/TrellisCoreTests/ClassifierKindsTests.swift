import Synchronization
import Testing
import TrellisCore
import TrellisTesting

/// The `llm`, `embedding` and `fewshot` classifiers against in-process fakes of what they call.
@Suite struct ClassifierKindsTests {
    static let routes = [
        Route(
            label: "billing", agent: "billing", description: "payments", examples: ["refund my order", "charged twice"]),
        Route(label: "tech", agent: "tech", description: "errors", examples: ["the app crashes"]),
    ]

    @Test(
        "llm: a sloppy answer is still read",
        arguments: [
            (#"{"label":"billing","confidence":0.9}"#, "billing", 0.9),
            (#"{"label":"Billing","confidence":"0.8"}"#, "billing", 0.8),
            (#"{"label":"tech","confidence":85}"#, "tech", 0.85),
            (#"{"label":"tech"}"#, "tech", LLMClassifier.unstatedConfidence),
            (#"{"label":"sales","confidence":1}"#, nil, 0),
        ] as [(String, String?, Double)])
    func llmToolAnswers(arguments: String, label: String?, confidence: Double) async throws {
        let provider = ScriptedModelProvider([.call(LLMClassifier.toolName, arguments)])
        let outcome = try await LLMClassifier(provider: provider, model: "m", routes: Self.routes).classify("x")
        #expect(outcome.top?.label == label)
        #expect(outcome.confidence == confidence)
    }

    @Test(
        "llm: an answer in text: a JSON object in prose or a code fence, or one label named",
        arguments: [
            ("Sure! ```json\n{\"label\": \"tech\", \"confidence\": 0.7}\n```", "tech", 0.7),
            ("I think this is billing.", "billing", LLMClassifier.looseConfidence),
            ("Either billing or tech.", nil, 0),
            ("No idea.", nil, 0),
        ] as [(String, String?, Double)])
    func llmTextAnswers(text: String, label: String?, confidence: Double) async throws {
        let provider = ScriptedModelProvider([.answer(text, usage: Usage(inputTokens: 40, outputTokens: 8))])
        let outcome = try await LLMClassifier(provider: provider, model: "m", routes: Self.routes).classify("x")
        #expect(outcome.top?.label == label)
        #expect(outcome.confidence == confidence)
        #expect(outcome.usage?.totalTokens == 48)
    }

    @Test("llm: the request forces choose_route, lists the labels with descriptions and examples, at temperature 0")
    func llmRequest() {
        let provider = ScriptedModelProvider([])
        let request = LLMClassifier(provider: provider, model: "gpt-4o-mini", routes: Self.routes).request(for: "hi")
        #expect(request.toolChoice == .function("choose_route"))
        #expect(request.options.temperature == 0)
        #expect(request.tools.first?.parameters["properties"]?["label"]?["enum"] == ["billing", "tech"])
        let system = request.messages.first?.text ?? ""
        #expect(system.contains("- billing: payments\n  example: refund my order\n  example: charged twice"))
        #expect(request.messages.last?.text == "hi")
    }

    /// Embeds by a fixed table and counts what it was asked.
    final class TableEmbedder: EmbeddingProvider {
        let vectors: [String: [Double]]
        let asked = Mutex<[(texts: [String], model: String)]>([])
        init(_ vectors: [String: [Double]]) { self.vectors = vectors }
        func embed(_ texts: [String], model: String) async throws -> [[Double]] {
            asked.withLock { $0.append((texts, model)) }
            return texts.map { vectors[$0] ?? [0, 0, 1] }
        }
    }

    final class MemoryCache: EmbeddingCache {
        let stored = Mutex<[EmbeddingCacheKey: [Double]]>([:])
        func vectors(for keys: [EmbeddingCacheKey]) -> [EmbeddingCacheKey: [Double]] {
            stored.withLock { stored in stored.filter { keys.contains($0.key) } }
        }
        func store(_ vectors: [EmbeddingCacheKey: [Double]]) { stored.withLock { $0.merge(vectors) { _, new in new } } }
    }

    @Test(
        "embedding: the nearest example's cosine per route, the margin, and examples embedded once across classifiers")
    func embedding() async throws {
        let embedder = TableEmbedder([
            "refund my order": [2, 0, 0], "charged twice": [0.9, 0.1, 0], "the app crashes": [0, 3, 0],
            "money back please": [1, 0.2, 0],
        ])
        let cache = MemoryCache()
        let make = {
            EmbeddingClassifier(
                provider: embedder, documentModel: "doc", queryModel: "query", routes: Self.routes, cache: cache,
                cacheScope: "fake")
        }
        let outcome = try await make().classify("money back please")
        #expect(outcome.top?.label == "billing")
        #expect(abs(outcome.confidence - 0.92 / ((1.04).squareRoot() * (0.82).squareRoot())) < 1e-6)
        #expect(outcome.runnerUp?.label == "tech")
        #expect(outcome.scores[0].evidence == ["nearest: charged twice", "margin 0.80"])
        _ = try await make().classify("money back please")
        let asked = embedder.asked.withLock { $0 }
        #expect(asked.map(\.model) == ["doc", "query", "query"])
        #expect(asked.first?.texts == ["refund my order", "charged twice", "the app crashes"])
    }

    @Test("embedding keys are stable hashes: the same text gives the same key in any process")
    func cacheKeys() {
        #expect(EmbeddingCacheKey(scope: "s", model: "m", text: "").textHash == "cbf29ce4842223256c62272e07bb0142")
        #expect(
            EmbeddingCacheKey(scope: "s", model: "m", text: "refund").textHash
                != EmbeddingCacheKey(scope: "s", model: "m", text: "refunds").textHash)
    }

    struct Classifier: ClassificationProvider {
        let predictions: [ClassificationPrediction]
        func classify(
            _ text: String, labels: [String], description: String, examples: [ClassificationExample], model: String
        ) async throws -> [ClassificationPrediction] { predictions }
    }

    @Test("fewshot: the provider's confidences are the scores; more than 20 labels is a setup error")
    func fewshot() async throws {
        let classifier = try FewShotClassifier(
            provider: Classifier(predictions: [
                .init(label: "tech", confidence: 0.7), .init(label: "billing", confidence: 0.3),
            ]),
            model: "yandexgpt-lite", routes: Self.routes)
        let outcome = try await classifier.classify("it crashed")
        #expect(outcome.top?.label == "tech")
        #expect(outcome.confidence == 0.7)
        let many = (0..<21).map { Route(label: "l\($0)", agent: "a") }
        #expect(throws: RouteSetupError.self) {
            try FewShotClassifier(provider: Classifier(predictions: []), model: "m", routes: many)
        }
    }

    /// A chat provider that also classifies, like the Yandex adapter; `failing` answers 503.
    struct ClassifyingModel: ModelProvider, ClassificationProvider {
        let name: String
        var failing = false
        func complete(_ request: ModelRequest) async throws -> ModelResponse {
            ModelResponse(message: .assistant(name), finishReason: .stop, rawFinishReason: "stop")
        }
        func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
            AsyncThrowingStream { $0.finish() }
        }
        func classify(
            _ text: String, labels: [String], description: String, examples: [ClassificationExample], model: String
        ) async throws -> [ClassificationPrediction] {
            if failing {
                throw ProviderError.http(provider: name, status: 503, message: "busy", vendorCode: nil, body: "")
            }
            return [ClassificationPrediction(label: "\(name):\(model)", confidence: 1)]
        }
    }

    @Test("a model chain offers its adapters' classification, falling back to a later capable link")
    func chainCapabilities() async throws {
        let plain = ScriptedModelProvider([])
        let chain = ModelChain(links: [
            .init(model: ModelReference(provider: "openai", name: "gpt"), provider: plain),
            .init(
                model: ModelReference(provider: "ya", name: "yandexgpt"),
                provider: ClassifyingModel(name: "ya", failing: true)),
            .init(
                model: ModelReference(provider: "yb", name: "yandexgpt-lite"), provider: ClassifyingModel(name: "yb")),
        ])
        #expect(chain.canClassify)
        #expect(!chain.canEmbed)
        let predictions = try await chain.classify("x", labels: [], description: "", examples: [], model: "asked")
        #expect(predictions.map(\.label) == ["yb:yandexgpt-lite"])
        await #expect(throws: ProviderError.self) { _ = try await chain.embed(["x"], model: "m") }
    }
}
