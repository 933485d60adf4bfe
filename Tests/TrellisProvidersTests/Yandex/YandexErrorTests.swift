import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Yandex HTTP errors and retries, as the caller sees them.
@Suite struct YandexErrorTests {
    let request = ModelRequest(model: "yandexgpt", messages: [.user("Hi")])

    @Test func wrongKeyIsNotRetriedAndNotEchoed() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: "AQVN-the-right-key", folder: yandexFolder)
            let recorder = SleepRecorder()
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server, recorder: recorder).complete(request)
            }
            #expect(server.requests.count == 1)
            #expect(await recorder.sleeps.isEmpty)
            #expect(error.status == 401)
            #expect(error.vendorCode == "16")
            #expect(error.message == "Unknown api key 'sk-s****'")
            #expect(!error.isRetryable)
            #expect(!error.description.contains(secretKey))
        }
    }

    @Test func wrongFolderIsRefused() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: "b1gother")
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server).complete(request)
            }
            #expect(error.status == 400)
            #expect(error.vendorCode == "3")
            #expect(error.message.contains("Specified folder ID 'b1gfolder'"))
        }
    }

    @Test func rateLimitIsRetriedWithBackoff() async throws {
        try await FakeVendorServer.withServer { server in
            YandexFake.install(on: server, key: secretKey, folder: yandexFolder)
            server.enqueue(
                YandexFake.error(
                    status: 429,
                    message:
                        "ai.textGenerationCompletionSessionsCount.count gauge quota limit exceed: allowed 1 requests",
                    retryAfter: nil),
                YandexFake.reply(.text("Готово"), stream: false))
            let recorder = SleepRecorder()
            let response = try await makeYandex(server, recorder: recorder).complete(request)
            #expect(response.message.text == "Готово")
            #expect(server.requests.count == 2)
            let sleeps = await recorder.sleeps
            #expect(sleeps.count == 1)
            #expect(sleeps.allSatisfy { $0 > .zero && $0 <= .seconds(8) })
        }
    }

    @Test func serverErrorsAreRetriedThenSurface() async throws {
        try await FakeVendorServer.withServer { server in
            let failure = YandexFake.error(status: 500, message: "Internal error", retryAfter: nil)
            server.enqueue(failure, failure, failure, failure)
            let recorder = SleepRecorder()
            let error = try await #require(throws: ProviderError.self) {
                try await makeYandex(server, recorder: recorder).complete(request)
            }
            #expect(server.requests.count == 3)
            #expect(await recorder.sleeps.count == 2)
            #expect(error.status == 500)
            #expect(error.vendorCode == "13")
            #expect(error.message == "Internal error")
            #expect(error.description == "provider 'yc': HTTP 500: Internal error (13)")
        }
    }

    @Test func bareStatusBodyAndStreamRequests() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    #"{"code":3,"message":"number of input tokens must be no more than 8192, got 9000","details":[]}"#,
                    status: 400))
            let error = try await #require(throws: ProviderError.self) {
                try await drain(makeYandex(server).stream(request))
            }
            #expect(error.status == 400)
            #expect(error.vendorCode == "3")
            #expect(error.message == "number of input tokens must be no more than 8192, got 9000")
            #expect(server.requests.count == 1)
        }
    }

    @Test func errorDecoderShapes() {
        let gateway = YandexResponseDecoder.errorMessage(
            from:
                #"{"error":{"grpcCode":7,"httpCode":403,"message":"Permission denied","httpStatus":"Forbidden","details":[]}}"#
        )
        #expect(gateway.message == "Permission denied")
        #expect(gateway.code == "7")
        let plain = YandexResponseDecoder.errorMessage(from: "upstream connect error\n")
        #expect(plain.message == "upstream connect error")
        #expect(plain.code == nil)
    }
}
