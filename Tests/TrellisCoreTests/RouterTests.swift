import Testing
import TrellisCore

/// `Router`: a chain of classifiers, thresholds, and a fallback that always says why.
@Suite struct RouterTests {
    /// A classifier that answers as it is told, and counts its calls.
    final class Scripted: RouteClassifier, @unchecked Sendable {
        let kind: ClassifierKind
        let outcome: Result<ClassifierOutcome, ProviderError>
        private(set) var calls = 0

        init(_ kind: ClassifierKind, _ outcome: Result<ClassifierOutcome, ProviderError>) {
            self.kind = kind
            self.outcome = outcome
        }

        func classify(_ input: String) async throws -> ClassifierOutcome {
            calls += 1
            return try outcome.get()
        }
    }

    private let routes = [
        Route(label: "billing", agent: "billing-agent", keywords: ["refund"]),
        Route(label: "tech", agent: "tech-agent", keywords: ["error"]),
    ]

    private func llm(_ label: String, _ confidence: Double) -> Scripted {
        Scripted(
            .llm,
            .success(
                ClassifierOutcome(
                    scores: [LabelScore(label: label, score: confidence)], confidence: confidence,
                    usage: Usage(inputTokens: 50, outputTokens: 3))))
    }

    @Test("the first confident classifier decides; the later ones are never called")
    func chainStopsEarly() async throws {
        let table = RouteTable(classifiers: [.init(kind: .keyword), .init(kind: .llm)], routes: routes)
        let expensive = llm("tech", 0.9)
        let router = Router(
            table: table, classifiers: [try KeywordClassifier(routes: routes), expensive], agent: "desk")
        let decision = try await router.decide("I want a refund")
        #expect(decision.label == "billing")
        #expect(decision.agent == "billing-agent")
        #expect(decision.classifier == "keyword")
        #expect(decision.confidence == 1)
        #expect(decision.fallbackReason == nil)
        #expect(decision.usage == nil)
        #expect(expensive.calls == 0)
    }

    @Test("an unsure cheap classifier passes the input on, and the usage of the one that decides is counted")
    func chainGoesOn() async throws {
        let table = RouteTable(
            classifiers: [.init(kind: .keyword), .init(kind: .llm, threshold: 0.8)], threshold: 0.5, routes: routes)
        let router = Router(
            table: table, classifiers: [try KeywordClassifier(routes: routes), llm("tech", 0.85)], agent: "desk")
        let decision = try await router.decide("my screen is black")
        #expect(decision.label == "tech")
        #expect(decision.classifier == "llm")
        #expect(decision.usage == Usage(inputTokens: 50, outputTokens: 3))
    }

    @Test("below every threshold the run falls back, and the reason names each classifier's answer")
    func fallback() async throws {
        let table = RouteTable(
            classifiers: [.init(kind: .keyword), .init(kind: .llm, threshold: 0.8)], routes: routes,
            fallback: .agent("general"))
        let failing = Scripted(.embedding, .failure(.connection(provider: "yandex", message: "refused")))
        let router = Router(
            table: table, classifiers: [try KeywordClassifier(routes: routes), llm("tech", 0.6), failing],
            agent: "desk")
        let decision = try await router.decide("refund after the error")
        #expect(decision.label == nil)
        #expect(decision.agent == "general")
        #expect(decision.confidence == 0.6)
        #expect(
            decision.fallbackReason?.hasPrefix(
                "keyword: tie between billing and tech; llm: tech at 0.60 is below 0.80; embedding: failed (") == true)
        let stay = Router(
            table: RouteTable(classifiers: [.init(kind: .keyword)], routes: routes),
            classifiers: [try KeywordClassifier(routes: routes)], agent: "desk")
        let stayed = try await stay.decide("hello")
        #expect(stayed.agent == "desk")
        #expect(stayed.fallbackReason == "keyword: no label scored")
    }
}
