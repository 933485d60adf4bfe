import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `routes:` end to end through the CLI: `trellis run` on a router hands the run to the agent a classifier picks,
/// with each of the four kinds against vendor fakes; `trellis route` and `trellis route eval` on fixed cases.
@Suite struct RouteCommandTests {
    static let billingSystem = "You are the billing team."

    /// A desk that routes with `classifier`, and billing, tech and general agents on `model`.
    static func workspace(classifier: String, model: String, providers: String) -> [String: String] {
        let agent = { (system: String) in "model: \(model)\nsystem: \(system)\n" }
        return [
            "trellis.yaml": "providers:\n" + providers,
            "agents/desk.yaml": """
            model: \(model)
            system: You are the desk.
            routes:
              classifier: \(classifier)
              to:
                billing: {agent: billing, description: payments and refunds, examples: [refund my order, I was charged twice], keywords: [charge*, refund*]}
                tech: {agent: tech, description: errors and outages, examples: [the app crashes], keywords: [crash*, error*]}
              fallback: general
            """,
            "agents/billing.yaml": agent(billingSystem),
            "agents/tech.yaml": agent("You are the tech team."),
            "agents/general.yaml": agent("You answer general questions."),
        ]
    }

    static func openAIProvider(_ server: FakeVendorServer) -> String {
        "  fake:\n    kind: openai\n    base_url: \(server.baseURL)\n    api_key: sk-test\n    max_retries: 0\n"
    }

    /// Runs `trellis run desk "I was charged twice" --json` and checks that billing answered after the route.
    private func expectBillingAnswered(_ outcome: CLIOutcome, classifier: String) throws -> JSONValue {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try JSONValue.parse(outcome.stdout)
        #expect(json["agent"] == "billing")
        #expect(json["output"] == "Refunded.")
        #expect(json["route"]?["label"] == "billing")
        #expect(json["route"]?["agent"] == "billing")
        #expect(json["route"]?["classifier"] == .string(classifier))
        #expect(json["route"]?["fallback_reason"] == .null)
        #expect(outcome.stderr.contains("↪ billing (\(classifier) "))
        return json
    }

    @Test("keyword: the input goes to billing without a model call, and billing's own prompt is sent")
    func keyword() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(OpenAIFake.reply(.text("Refunded.", inputTokens: 30, outputTokens: 3), stream: false))
            let cli = try CLIHarness(
                files: Self.workspace(
                    classifier: "keyword", model: "fake/gpt-4o", providers: Self.openAIProvider(server)))
            let outcome = try await cli.run(["run", "desk", "I was charged twice", "--json"])
            let json = try expectBillingAnswered(outcome, classifier: "keyword")
            #expect(json["route"]?["evidence"]?["billing"] == ["charge*"])
            #expect(json["usage"]?["total_tokens"] == 33)
            #expect(server.requests.count == 1)
            let messages = server.requests.first?.json?["messages"]?.arrayValue ?? []
            #expect(messages.first?["content"] == .string(Self.billingSystem))
        }
    }

    @Test("llm: the model's forced choose_route call picks billing; its tokens count in the run's usage")
    func llm() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                OpenAIFake.reply(
                    .calls(
                        .init("choose_route", #"{"label":"billing","confidence":0.9}"#), inputTokens: 80,
                        outputTokens: 9),
                    stream: false),
                OpenAIFake.reply(.text("Refunded.", inputTokens: 30, outputTokens: 3), stream: false))
            let cli = try CLIHarness(
                files: Self.workspace(classifier: "llm", model: "fake/gpt-4o", providers: Self.openAIProvider(server)))
            let outcome = try await cli.run(["run", "desk", "I was charged twice", "--json"])
            let json = try expectBillingAnswered(outcome, classifier: "llm")
            #expect(json["route"]?["confidence"] == 0.9)
            #expect(json["route"]?["usage"]?["total_tokens"] == 89)
            #expect(json["usage"]?["total_tokens"] == 122)
            let classify = try #require(server.requests.first?.json)
            #expect(classify["tool_choice"]?["function"]?["name"] == "choose_route")
            #expect(
                classify["tools"]?.arrayValue?.first?["function"]?["parameters"]?["properties"]?["label"]?["enum"] == [
                    "billing", "tech",
                ])
            #expect(classify["messages"]?.arrayValue?.last?["content"] == "I was charged twice")
        }
    }

    @Test("embedding (OpenAI /embeddings): examples are embedded once and cached; a second run embeds the input only")
    func openAIEmbedding() async throws {
        try await FakeVendorServer.withServer { server in
            // Examples in order: "refund my order", "I was charged twice", "the app crashes".
            let examples =
                #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[1,0,0]},{"object":"embedding","index":1,"embedding":[0.9,0.1,0]},{"object":"embedding","index":2,"embedding":[0,1,0]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":9,"total_tokens":9}}"#
            let query =
                #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.95,0.05,0.1]}],"model":"text-embedding-3-small"}"#
            server.enqueue(
                .json(examples), .json(query), OpenAIFake.reply(.text("Refunded."), stream: false),
                .json(query), OpenAIFake.reply(.text("Refunded."), stream: false))
            let cli = try CLIHarness(
                files: Self.workspace(
                    classifier: "{kind: embedding, model: fake/text-embedding-3-small, threshold: 0.8}",
                    model: "fake/gpt-4o", providers: Self.openAIProvider(server)))
            for _ in 0..<2 {
                let outcome = try await cli.run(["run", "desk", "I was charged twice", "--json"])
                let json = try expectBillingAnswered(outcome, classifier: "embedding")
                #expect(json["route"]?["runner_up"]?["label"] == "tech")
            }
            let paths = server.requests.map(\.path)
            #expect(
                paths == [
                    "/v1/embeddings", "/v1/embeddings", "/v1/chat/completions", "/v1/embeddings",
                    "/v1/chat/completions",
                ])
            #expect(server.requests[0].json?["input"] == ["refund my order", "I was charged twice", "the app crashes"])
            #expect(server.requests[1].json?["input"] == ["I was charged twice"])
            let cache = try FileManager.default.contentsOfDirectory(atPath: cli.root + "/.trellis/cache/embeddings")
            #expect(cache.count == 1)
        }
    }

    @Test("embedding (Yandex textEmbedding): documents and the query use their two model URIs; vectors as strings")
    func yandexEmbedding() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: "AQVN-key", folder: "b1gfolder")
            server.enqueue(
                YandexFake.embedding([1, 0, 0]), YandexFake.embedding([0.9, 0.1, 0], asStrings: true),
                YandexFake.embedding([0, 1, 0]), YandexFake.embedding([0.95, 0.05, 0.1], asStrings: true),
                YandexFake.reply(.text("Refunded."), stream: false))
            let providers =
                "  ya:\n    kind: yandex\n    base_url: \(YandexFake.baseURL(of: server))\n    api_key: AQVN-key\n"
                + "    folder_id: b1gfolder\n    max_retries: 0\n"
            let cli = try CLIHarness(
                files: Self.workspace(
                    classifier: "{kind: embedding, model: ya/text-search-doc}", model: "ya/yandexgpt",
                    providers: providers))
            let outcome = try await cli.run(["run", "desk", "I was charged twice", "--json"])
            _ = try expectBillingAnswered(outcome, classifier: "embedding")
            let uris = server.requests.compactMap { $0.json?["modelUri"]?.stringValue }
            #expect(
                uris == [
                    "emb://b1gfolder/text-search-doc/latest", "emb://b1gfolder/text-search-doc/latest",
                    "emb://b1gfolder/text-search-doc/latest", "emb://b1gfolder/text-search-query/latest",
                    "gpt://b1gfolder/yandexgpt/latest",
                ])
        }
    }

    @Test("fewshot (Yandex fewShotTextClassification): the examples go as samples, its confidences decide")
    func fewshot() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: "AQVN-key", folder: "b1gfolder")
            server.enqueue(
                YandexFake.classification([
                    ClassificationPrediction(label: "billing", confidence: 0.93),
                    ClassificationPrediction(label: "tech", confidence: 0.07),
                ]),
                YandexFake.reply(.text("Refunded."), stream: false))
            let providers =
                "  ya:\n    kind: yandex\n    base_url: \(YandexFake.baseURL(of: server))\n    api_key: AQVN-key\n"
                + "    folder_id: b1gfolder\n    max_retries: 0\n"
            let cli = try CLIHarness(
                files: Self.workspace(
                    classifier: "{kind: fewshot, model: ya/yandexgpt-lite}", model: "ya/yandexgpt", providers: providers
                ))
            let outcome = try await cli.run(["run", "desk", "I was charged twice", "--json"])
            let json = try expectBillingAnswered(outcome, classifier: "fewshot")
            #expect(json["route"]?["confidence"] == 0.93)
            let request = try #require(server.requests.first)
            #expect(request.path.hasSuffix("/foundationModels/v1/fewShotTextClassification"))
            #expect(request.json?["labels"] == ["billing", "tech"])
            #expect(request.json?["samples"]?.arrayValue?[1] == ["text": "I was charged twice", "label": "billing"])
            #expect(request.json?["modelUri"] == "cls://b1gfolder/yandexgpt-lite/latest")
        }
    }

    @Test("below the threshold the run falls back, and says why")
    func fallback() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(OpenAIFake.reply(.text("Hello."), stream: false))
            let cli = try CLIHarness(
                files: Self.workspace(
                    classifier: "keyword", model: "fake/gpt-4o", providers: Self.openAIProvider(server)))
            let outcome = try await cli.run(["run", "desk", "a refund for the crash?", "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["agent"] == "general")
            #expect(json["route"]?["label"] == .null)
            #expect(json["route"]?["fallback_reason"] == "keyword: tie between billing and tech")
            #expect(outcome.stderr.contains("↪ fallback to general: keyword: tie between billing and tech"))
        }
    }

    @Test("trellis route prints the decision and every score without running the target")
    func decide() async throws {
        let cli = try CLIHarness(
            files: Self.workspace(
                classifier: "keyword", model: "fake/gpt-4o",
                providers: "  fake:\n    kind: openai\n    base_url: http://127.0.0.1:9\n    api_key: sk\n"))
        let outcome = try await cli.run(["route", "desk", "I was charged twice, refund please"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("route:      billing → agent billing\nclassifier: keyword, confidence 1.00\n"))
        #expect(outcome.stdout.contains("billing  2.00   charge*, refund*"))
        let json = try JSONValue.parse(try await cli.run(["route", "desk", "the app crashes", "--json"]).stdout)
        #expect(json["label"] == "tech")
        #expect(json["scores"] == ["tech": 1, "billing": 0])
        let unrouted = try await cli.run(["route", "billing", "hi"])
        #expect(unrouted.status == 2)
        #expect(unrouted.stderr.contains("agent 'billing' has no routes:"))
    }

    @Test("trellis route eval prints accuracy, per-route precision and recall, the matrix and misroutes; exit codes")
    func eval() async throws {
        var files = Self.workspace(
            classifier: "keyword", model: "fake/gpt-4o",
            providers: "  fake:\n    kind: openai\n    base_url: http://127.0.0.1:9\n    api_key: sk\n")
        files["cases.jsonl"] = """
            {"input": "refund my order", "label": "billing"}
            {"input": "I was charged twice", "label": "billing"}
            {"input": "the app crashes with an error", "label": "tech"}

            {"input": "my invoice is wrong", "label": "billing"}
            {"input": "hello there", "label": null}
            {"input": "crash after the refund", "label": "tech"}
            """
        let cli = try CLIHarness(files: files)
        let outcome = try await cli.run(["route", "eval", "desk", "cases.jsonl", "--fit"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout.hasPrefix(
                """
                6 cases: accuracy 66.7% (4/6), fallback rate 50.0%

                ROUTE     CASES  PRECISION  RECALL
                billing   3      100.0%     66.7%
                tech      2      100.0%     50.0%
                fallback  1      33.3%      100.0%

                confusion (rows: the right label; columns: where the router sent it)
                EXPECTED  billing  tech  fallback
                billing   2        0     1
                tech      0        1     1
                fallback  0        0     1

                misrouted: 2
                  "my invoice is wrong": billing → fallback (keyword: no label scored)
                  "crash after the refund": tech → fallback (keyword: tie between billing and tech)

                latency: mean
                """))
        #expect(
            outcome.stdout.contains(
                "usage: no model calls\nfit: threshold 1.00 gives accuracy 66.7%, fallback rate 50.0%\n"))
        let strict = try await cli.run(["route", "eval", "desk", "cases.jsonl", "--min-accuracy", "0.9"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("accuracy 66.7% is below --min-accuracy 90.0%"))
        let json = try JSONValue.parse(try await cli.run(["route", "eval", "desk", "cases.jsonl", "--json"]).stdout)
        #expect(json["accuracy"]?.doubleValue.map { abs($0 - 4.0 / 6) < 1e-9 } == true)
        #expect(json["matrix"]?["tech"] == ["tech": 1, "fallback": 1])
        #expect(json["misrouted"]?.arrayValue?.count == 2)
        files["bad.jsonl"] = "{\"input\": \"x\", \"label\": \"biling\"}\n"
        _ = FileManager.default.createFile(atPath: cli.root + "/bad.jsonl", contents: Data(files["bad.jsonl"]!.utf8))
        let bad = try await cli.run(["route", "eval", "desk", "bad.jsonl"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.jsonl:1: label 'biling' is not a route (did you mean 'billing'?)"))
    }

    @Test("a handoff end to end: transfer_to_billing answered, billing's prompt sent next, trellis tools lists it")
    func handoff() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                OpenAIFake.reply(.calls(.init("transfer_to_billing", "{}")), stream: false),
                OpenAIFake.reply(.text("Refunded."), stream: false))
            var files = Self.workspace(
                classifier: "keyword", model: "fake/gpt-4o", providers: Self.openAIProvider(server))
            files["agents/triage.yaml"] = "model: fake/gpt-4o\nsystem: You triage.\nhandoffs: [billing]\n"
            files["agents/billing.yaml"] = "model: fake/gpt-4o\nsystem: \(Self.billingSystem)\ndescription: Payments\n"
            let cli = try CLIHarness(files: files)
            let outcome = try await cli.run(["run", "triage", "I was charged twice", "--json"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let json = try JSONValue.parse(outcome.stdout)
            #expect(json["agent"] == "billing")
            #expect(json["output"] == "Refunded.")
            #expect(json["tool_calls"]?.arrayValue?.first?["content"] == #"{"assistant":"billing"}"#)
            #expect(
                server.requests.first?.json?["tools"]?.arrayValue?.first?["function"]?["name"] == "transfer_to_billing")
            let second = server.requests.last?.json?["messages"]?.arrayValue ?? []
            #expect(second.first?["content"] == .string(Self.billingSystem))
            #expect(second.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "tool"])
            let tools = try await cli.run(["tools", "triage"])
            #expect(
                tools.stdout.contains(
                    "transfer_to_billing  handoff:billing  Hand the conversation to billing. Payments"))
        }
    }
}
