import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Yandex embeddings and few-shot classification.
@Suite struct YandexSideTests {
    @Test func embeddingsOneRequestPerText() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: yandexFolder)
            server.enqueue(YandexFake.embedding([0.5, -0.25]), YandexFake.embedding([1, 0.125], asStrings: true))
            let vectors = try await makeYandex(server).embed(["погода в Казани", "курс"], model: "text-search-query")
            #expect(vectors == [[0.5, -0.25], [1, 0.125]])
            let requests = server.requests
            #expect(requests.map(\.path) == Array(repeating: "/foundationModels/v1/textEmbedding", count: 2))
            #expect(
                requests.first?.body
                    == #"{"modelUri":"emb://b1gfolder/text-search-query/latest","text":"погода в Казани"}"#)
            #expect(requests.last?.json?["text"] == "курс")
            #expect(requests.first?.header("Authorization") == "Api-Key \(secretKey)")
        }
    }

    @Test func embeddingWithoutFolderNamesTheSetting() async throws {
        try await FakeVendorServer.withServer { server in
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server, folder: nil).embed(["x"], model: "text-search-doc")
            }
            #expect(error.message.contains("folder_id"))
            #expect(error.message.contains("emb://<folder>/text-search-doc/latest"))
            #expect(server.requests.isEmpty)
        }
    }

    @Test func classificationSortedByConfidence() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: yandexFolder)
            server.enqueue(
                YandexFake.classification(
                    [
                        ClassificationPrediction(label: "оплата", confidence: 0.04),
                        ClassificationPrediction(label: "доставка", confidence: 0.93),
                        ClassificationPrediction(label: "возврат", confidence: 0.03),
                    ], asStrings: true))
            let predictions = try await makeYandex(server).classify(
                "Не пришёл заказ", labels: ["доставка", "оплата", "возврат"], description: "Определи тему обращения",
                examples: [ClassificationExample(text: "Где моя посылка?", label: "доставка")], model: "yandexgpt-lite")
            #expect(predictions.map(\.label) == ["доставка", "оплата", "возврат"])
            #expect(predictions.first?.confidence == 0.93)
            let recorded = try #require(server.requests.first)
            #expect(recorded.path == "/foundationModels/v1/fewShotTextClassification")
            #expect(
                recorded.body
                    == #"{"modelUri":"cls://b1gfolder/yandexgpt-lite/latest","taskDescription":"Определи тему обращения","labels":["доставка","оплата","возврат"],"text":"Не пришёл заказ","samples":[{"text":"Где моя посылка?","label":"доставка"}]}"#
            )
        }
    }

    @Test("a value that is not a finite number (\"nan\", \"inf\", 1e400 as a string) is a malformed reply")
    func nonFiniteValuesAreRefused() async throws {
        for body in [
            #"{"embedding":["0.5","nan"],"numTokens":"2"}"#, #"{"embedding":["inf"],"numTokens":"1"}"#,
            #"{"embedding":["1e400"],"numTokens":"1"}"#,
        ] {
            try await FakeVendorServer.withServer { server in
                server.enqueue(.json(body))
                let error = try await #require(throws: ProviderError.self) {
                    try await makeYandex(server).embed(["x"], model: "text-search-doc")
                }
                #expect(error.description.contains("an embedding value is not a number"), "\(body)")
            }
        }
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(#"{"predictions":[{"label":"a","confidence":"NaN"}]}"#))
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server).classify("x", labels: ["a"], description: "d", examples: [], model: "m")
            }
            #expect(error.description.contains("a prediction has no label or confidence"))
        }
    }

    @Test func classificationErrorsAreProviderErrors() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.json(#"{"labels":[]}"#))
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server).classify(
                    "x", labels: ["a"], description: "d", examples: [], model: "cls://f/m")
            }
            #expect(error.shortDescription == "provider_malformed_response")
            #expect(error.description.contains("no predictions"))
        }
    }
}
