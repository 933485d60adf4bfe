import Testing
import TrellisCore

/// The `keyword` classifier: whole words, prefixes and patterns, folded, scored and explained.
@Suite struct KeywordClassifierTests {
    private let desk = [
        Route(
            label: "billing", agent: "billing",
            keywords: ["refund*", "charged", "invoice", "оплат*", "/\\d+ ?(usd|руб)/"]),
        Route(label: "tech", agent: "tech", keywords: ["error", "crash*", "не работает", "/\\bhttp\\s?5\\d\\d\\b/"]),
        Route(label: "general", agent: "general", keywords: []),
    ]

    private func classify(_ input: String) throws -> ClassifierOutcome {
        try KeywordClassifier(routes: desk).classify(input)
    }

    @Test("one label matching is a confident decision, explained by the keywords that matched")
    func confident() throws {
        let outcome = try classify("I was charged twice, I want a refund")
        #expect(outcome.top?.label == "billing")
        #expect(outcome.top?.evidence == ["refund*", "charged"])
        #expect(outcome.top?.score == 2)
        #expect(outcome.confidence == 1)
        #expect(outcome.runnerUp == nil)
        #expect(outcome.scores.map(\.label) == ["billing", "tech", "general"])
    }

    @Test(
        "case, accents, ё and word edges",
        arguments: [
            ("REFUNDS please", "billing"), ("Оплата не прошла", "billing"), ("ОПЛАТИЛ дважды", "billing"),
            ("списали 500 руб", "billing"), ("Приложение не работает", "tech"), ("got HTTP 503 again", "tech"),
            ("the app CRASHED", "tech"), ("Ёrror", "general"), ("terror in the night", "general"),
            ("invoices", "general"), ("hello", "general"),
        ])
    func folding(input: String, label: String) throws {
        let outcome = try classify(input)
        #expect((outcome.top?.label ?? "general") == label, "\(input)")
    }

    @Test("the margin over the runner-up is the confidence; a tie is no decision")
    func margins() throws {
        let two = try classify("refund the invoice, there was an error")
        #expect(two.top?.label == "billing")
        #expect(two.runnerUp?.label == "tech")
        #expect(two.confidence == 0.5)
        let tie = try classify("refund after the crash")
        #expect(tie.confidence == 0)
        #expect(try classify("nothing here").confidence == 0)
        #expect(try classify("nothing here").top == nil)
    }

    @Test("a keyword that cannot be used names the route and the reason")
    func badKeywords() {
        let broken = #expect(throws: KeywordError.self) {
            try KeywordClassifier(routes: [Route(label: "billing", agent: "b", keywords: ["ok", "/(a/"])])
        }
        #expect(
            broken?.description
                == "keyword '/(a/' of route 'billing': pattern '(a' at character 1: a group is not closed")
        #expect(broken?.index == 1)
        #expect(KeywordClassifier.problem(with: " * ") == "it holds no letter or digit")
        #expect(KeywordClassifier.problem(with: "/(?=x)/")?.contains("lookahead") == true)
        #expect(KeywordClassifier.problem(with: "/\\p{Lu}\\D/") == nil)
    }

    @Test("escapes in a pattern keep their case while its text is folded")
    func patternEscapes() throws {
        let classifier = try KeywordClassifier(routes: [
            Route(label: "code", agent: "a", keywords: ["/ERR-\\D\\d{3}/"]),
            Route(label: "other", agent: "b", keywords: ["zzz"]),
        ])
        #expect(classifier.classify("got err-x404").top?.label == "code")
        #expect(classifier.classify("got ERR-1404").top == nil)
    }

    @Test("phrases match wherever their first word is, prefixes nest, and each keyword counts once")
    func phrasesAndPrefixes() throws {
        let classifier = try KeywordClassifier(routes: [
            Route(
                label: "billing", agent: "a",
                keywords: ["pay*", "payment*", "charged twice", "charged twice again*", "twice", "pay"]),
            Route(label: "orders", agent: "b", keywords: ["order_id", "42", "abc", "order", "Ёж*"]),
        ])
        let billing = classifier.classify("Payments: charged, charged twice, charged TWICE AGAINST my will; twice!")
        #expect(billing.top?.evidence == ["pay*", "payment*", "charged twice", "charged twice again*", "twice"])
        #expect(billing.top?.score == 5)
        // Words are runs of letters, digits and '_', in ASCII (CR LF included) as in any other text.
        let orders = classifier.classify("order_id\r\n42-abc,pay.")
        #expect(orders.scores.first { $0.label == "orders" }?.evidence == ["order_id", "42", "abc"])
        #expect(orders.scores.first { $0.label == "billing" }?.evidence == ["pay*", "pay"])
        #expect(classifier.classify("ежевика и ЁЖИК").top?.evidence == ["Ёж*"])
        #expect(classifier.classify("charged").top == nil)
    }
}
