// One routing decision, as `Router.decide` makes it before a run: the keyword classifier, and the embedding
// classifier with its example vectors in memory (the input's embedding call excluded); see docs/benchmarks.md.
import Foundation
import TrellisCore

/// The time of one routing decision on 10 routes × 20 examples (or keywords), with 1,024-dimension vectors.
enum RouteBenchmark {
    static let routeCount = 10
    static let perRoute = 20
    static let dimension = 1024

    /// Returns a vector given up front for every text, so the call itself costs next to nothing.
    struct InstantEmbedder: EmbeddingProvider {
        let vectors: [String: [Double]]
        func embed(_ texts: [String], model: String) async throws -> [[Double]] {
            texts.map { vectors[$0] ?? [] }
        }
    }

    static func run(runs: Int) async throws {
        var generator = SplitMix(seed: 42)
        let routes = (0..<routeCount).map { route in
            Route(
                label: "route\(route)", agent: "agent\(route)",
                examples: (0..<perRoute).map { "route \(route) example \($0)" },
                keywords: (0..<perRoute).map { "word\(route)x\($0)" + ($0.isMultiple(of: 4) ? "*" : "") })
        }
        var vectors: [String: [Double]] = [:]
        for route in routes {
            for example in route.examples {
                vectors[example] = (0..<dimension).map { _ in generator.nextUnit() }
            }
        }
        let input = "please look at word7x3 and word7x8 for me, the order number is 123456"
        vectors[input] = (0..<dimension).map { _ in generator.nextUnit() }

        let keywordTable = RouteTable(classifiers: [ClassifierSpec(kind: .keyword)], routes: routes)
        let keyword = Router(table: keywordTable, classifiers: [try KeywordClassifier(routes: routes)], agent: "desk")
        let embeddingTable = RouteTable(classifiers: [ClassifierSpec(kind: .embedding)], threshold: 0, routes: routes)
        let classifier = EmbeddingClassifier(
            provider: InstantEmbedder(vectors: vectors), documentModel: "doc", queryModel: "query", routes: routes,
            cacheScope: "bench")
        let embedding = Router(table: embeddingTable, classifiers: [classifier], agent: "desk")
        guard try await keyword.decide(input).label == "route7" else { throw BenchFailure("keyword: wrong label") }
        guard try await embedding.decide(input).label != nil else { throw BenchFailure("embedding: no label") }

        print(
            "one routing decision (Router.decide), \(routeCount) routes × \(perRoute) keywords or examples, "
                + "\(dimension)-dimension vectors; median and p95 of \(runs), in µs")
        print("| classifier | median | p95 |")
        print("|---|---|---|")
        for (name, router) in [("keyword", keyword), ("embedding (cached examples, input vector given)", embedding)] {
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                _ = try await router.decide(input)
                samples.append((ContinuousClock.now - start).secondsValue * 1e6)
            }
            samples.sort()
            let p95 = samples[min(samples.count - 1, Int(Double(samples.count) * 0.95))]
            print(
                "| \(name) | \(String(format: "%.1f", samples[samples.count / 2])) | \(String(format: "%.1f", p95)) |")
        }
    }

    /// A small deterministic generator, so every run scores the same vectors.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func nextUnit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53) * 2 - 1
        }
    }
}
