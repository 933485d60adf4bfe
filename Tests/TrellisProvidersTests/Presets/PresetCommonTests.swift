import Foundation
import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// What every preset must do the same way, each against its vendor's fake: tool round trips, retries, errors,
/// truncated streams, image parts.
@Suite struct PresetCommonTests {
    static let kinds = ["dewiar", "siliconflow", "vllm"]

    static func fake(_ kind: String) -> any VendorFake.Type {
        switch kind {
        case "dewiar": return DewiarFake.self
        case "siliconflow": return SiliconFlowFake.self
        default: return VLLMFake.self
        }
    }

    let request = ModelRequest(model: "m", messages: [.user("Hi")])

    @Test(arguments: kinds) func twoToolCallRoundTrip(kind: String) async throws {
        try expectRoundTrip(try await roundTrip(Self.fake(kind), kind: kind, stream: false))
    }

    @Test(arguments: kinds) func twoToolCallRoundTripStreamed(kind: String) async throws {
        let trip = try await roundTrip(Self.fake(kind), kind: kind, stream: true)
        try expectRoundTrip(trip)
        #expect(trip.requests.allSatisfy { $0.json?["stream"] == true })
        let deltas = trip.events.filter { if case .toolCallDelta = $0 { return true } else { return false } }
        #expect(deltas.count == 6)
        #expect(trip.events.textDeltas.joined() == "Kazan -3, Perm -5.")
    }

    @Test(arguments: kinds) func truncatedReplyFinishesWithLength(kind: String) async throws {
        try await FakeVendorServer.withServer { server in
            let fake = Self.fake(kind)
            fake.install(on: server, key: secretKey)
            let cut = FakeReply(text: "Kazan is", outputTokens: 2, truncated: true)
            server.enqueue(fake.reply(cut, stream: false), fake.reply(cut, stream: true))
            let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server))
            let response = try await provider.complete(request)
            #expect(response.finishReason == .length)
            #expect(response.rawFinishReason == "length")
            let streamed = try await drain(provider.stream(request))
            #expect(streamed.completed?.finishReason == .length)
            #expect(streamed.completed?.message.text == "Kazan is")
        }
    }

    @Test(arguments: kinds) func rateLimitWithRetryAfterIsRetried(kind: String) async throws {
        try await FakeVendorServer.withServer { server in
            let fake = Self.fake(kind)
            fake.install(on: server, key: secretKey)
            server.enqueue(
                fake.error(status: 429, message: "Rate limit reached (RPM).", retryAfter: 2),
                fake.reply(.text("ok"), stream: false),
                fake.error(status: 429, message: "Rate limit reached (RPM).", retryAfter: 3),
                fake.reply(.text("streamed ok"), stream: true))
            let recorder = SleepRecorder()
            let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server), recorder: recorder)
            let response = try await provider.complete(request)
            let streamed = try await drain(provider.stream(request))
            #expect(response.message.text == "ok")
            #expect(streamed.completed?.message.text == "streamed ok")
            #expect(server.requests.count == 4)
            #expect(await recorder.sleeps == [.seconds(2), .seconds(3)])
        }
    }

    @Test(arguments: kinds) func serverErrorIsRetriedThenSurfaces(kind: String) async throws {
        try await FakeVendorServer.withServer { server in
            let fake = Self.fake(kind)
            fake.install(on: server, key: secretKey)
            for _ in 0..<3 { server.enqueue(fake.error(status: 500, message: "internal failure", retryAfter: nil)) }
            let recorder = SleepRecorder()
            let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server), recorder: recorder)
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 500)
            #expect(error.message == "internal failure")
            #expect(error.provider == kind)
            #expect(error.isRetryable)
            #expect(server.requests.count == 3)
            #expect(await recorder.sleeps.count == 2)
        }
    }

    @Test(arguments: kinds) func wrongKeyIsUnauthorizedAndNotRetried(kind: String) async throws {
        try await FakeVendorServer.withServer { server in
            let fake = Self.fake(kind)
            fake.install(on: server, key: "the-right-key")
            let recorder = SleepRecorder()
            let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server), recorder: recorder)
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 401)
            #expect(!error.isRetryable)
            #expect(!error.message.isEmpty)
            #expect(!error.description.contains(secretKey))
            let log = EventLog()
            let streamed = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(request), into: log)
            }
            #expect(streamed.status == 401)
            #expect(log.events.isEmpty)
            #expect(server.requests.count == 2)
            #expect(await recorder.sleeps.isEmpty)
        }
    }

    @Test(arguments: kinds) func streamCutBeforeDoneIsTruncated(kind: String) async throws {
        try await FakeVendorServer.withServer { server in
            let fake = Self.fake(kind)
            fake.install(on: server, key: secretKey)
            guard case let chunks = fake.reply(.text("Kazan is cold."), stream: true).chunks, chunks.count > 3 else {
                Issue.record("too few chunks")
                return
            }
            server.enqueue(.eventStream(Array(chunks.prefix(2))))
            let provider = presetProvider(kind: kind, baseURL: fake.baseURL(of: server))
            let log = EventLog()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(request), into: log)
            }
            #expect(error.shortDescription == "provider_truncated_stream")
            #expect(log.events.completedCount == 0)
            #expect(!log.events.textDeltas.isEmpty)
        }
    }

    @Test(arguments: kinds) func pngFileIsSentAsDataURI(kind: String) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-\(kind)-pixel.png").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(pngBytes)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let content = try await sentImageContent(
            Self.fake(kind), kind: kind, image: try ImageAttachment.part(from: path))
        #expect(content?.element(0) == ["type": "text", "text": "What is on this picture?"])
        #expect(content?.element(1)?["type"] == "image_url")
        let url = try #require(content?.element(1)?["image_url"]?["url"]?.stringValue)
        #expect(url == "data:image/png;base64,\(Data(pngBytes).base64EncodedString())")
        #expect(url.hasPrefix("data:image/png;base64,iVBORw0KGgo"))
        #expect(content?.element(1)?["image_url"]?["detail"] == nil)
    }

    @Test(arguments: kinds) func httpsImageURLIsKept(kind: String) async throws {
        let content = try await sentImageContent(
            Self.fake(kind), kind: kind,
            image: try ImageAttachment.part(from: "https://example.com/link/to/your/image.jpg", detail: "auto"))
        #expect(
            content?.element(1)
                == [
                    "type": "image_url",
                    "image_url": ["url": "https://example.com/link/to/your/image.jpg", "detail": "auto"],
                ])
    }
}
