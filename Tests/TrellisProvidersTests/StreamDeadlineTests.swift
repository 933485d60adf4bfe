import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Every adapter that streams, against servers that misbehave after their headers: a stream that stalls fails
/// after the provider's `timeout` of silence, one that never ends fails at the size cap, and one kept open after
/// its terminal marker completes at the marker.
@Suite struct StreamDeadlineTests {
    /// One adapter family that streams, and the fake of its vendor.
    struct Family: Sendable, CustomTestStringConvertible {
        var name: String
        var fake: any VendorFake.Type
        /// Bytes the server may repeat forever without ending the reply (keep-alives).
        var filler: String
        var make: @Sendable (FakeVendorServer, ProviderConfiguration, RetryPolicy) throws -> any ModelProvider
        var testDescription: String { name }
    }

    static let families: [Family] = [
        Family(
            name: "openai", fake: OpenAIFake.self, filler: String(repeating: ": keep-alive\n\n", count: 300),
            make: { _, configuration, retry in OpenAICompatibleProvider(configuration: configuration, retry: retry) }),
        Family(
            name: "anthropic", fake: AnthropicFake.self,
            filler: String(repeating: "event: ping\ndata: {\"type\":\"ping\"}\n\n", count: 100),
            make: { _, configuration, retry in AnthropicProvider(configuration: configuration, retry: retry) }),
        Family(
            name: "ollama", fake: OllamaFake.self, filler: String(repeating: "\n", count: 4096),
            make: { _, configuration, retry in OllamaProvider(configuration: configuration, retry: retry) }),
        Family(
            name: "yandex", fake: YandexFake.self, filler: String(repeating: "\n", count: 4096),
            make: { _, configuration, retry in try YandexProvider(configuration: configuration, retry: retry) }),
    ]

    static let reply = FakeReply.text("Kazan is cold today.")

    /// The family's adapter pointed at `server`, with retries that record their waits and `limits` changed.
    ///
    /// The provider's `timeout` stays generous, so a loaded machine answers the request in time; `idle`, when
    /// given, is the wait between chunks that the `timeout` would otherwise set.
    func provider(
        _ family: Family, _ server: FakeVendorServer, idle: Duration? = nil, maxStreamBytes: Int? = nil,
        maxLineBytes: Int? = nil, maxRetries: Int = 0, recorder: SleepRecorder = SleepRecorder()
    ) throws -> any ModelProvider {
        family.fake.install(on: server, key: secretKey)
        let configuration = ProviderConfiguration(
            name: family.name, kind: family.name, baseURL: family.fake.baseURL(of: server), apiKey: secretKey,
            timeout: .seconds(60), maxRetries: maxRetries, settings: ["folder_id": .string(yandexFolder)])
        let provider = try family.make(
            server, configuration,
            RetryPolicy(maxRetries: maxRetries, sleep: { duration in await recorder.record(duration) }))
        return limited(provider) { limits in
            if let idle { limits.idleTimeout = idle }
            if let maxStreamBytes { limits.maxStreamBytes = maxStreamBytes }
            if let maxLineBytes { limits.maxLineBytes = maxLineBytes }
        }
    }

    func request() -> ModelRequest { ModelRequest(model: "yandexgpt", messages: [.user("Weather?")]) }

    @Test(
        "a stream that stalls after its headers fails after timeout of silence, retried as nothing was sent yet",
        arguments: families)
    func stallAfterHeaders(_ family: Family) async throws {
        try await FakeVendorServer.withServer { server in
            let stall = FakeResponse(headers: family.fake.reply(Self.reply, stream: true).headers, chunks: [])
                .holdingOpen(for: .seconds(120))
            server.enqueue(stall, stall)
            let recorder = SleepRecorder()
            let adapter = try provider(family, server, idle: .seconds(2), maxRetries: 1, recorder: recorder)
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: ProviderError.self) { try await drain(adapter.stream(request())) }

            #expect(clock.now - start < .seconds(60), "\(family.name)")
            #expect(error.shortDescription == "provider_timeout", "\(family.name): \(error)")
            #expect(error.description == "provider '\(family.name)': no data for 2s while streaming")
            #expect(server.requests.count == 2, "\(family.name)")
            #expect(await recorder.sleeps.count == 1, "\(family.name)")
        }
    }

    @Test("a stream that stalls after some text fails with what it sent, not retried", arguments: families)
    func stallMidStream(_ family: Family) async throws {
        try await FakeVendorServer.withServer { server in
            var stalled = family.fake.reply(Self.reply, stream: true)
            stalled.chunks.removeLast()
            server.enqueue(stalled.holdingOpen(for: .seconds(120)))
            let recorder = SleepRecorder()
            let adapter = try provider(family, server, idle: .seconds(2), maxRetries: 2, recorder: recorder)
            let log = EventLog()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(adapter.stream(request()), into: log)
            }

            #expect(error.description == "provider '\(family.name)': no data for 2s while streaming")
            #expect(!log.events.textDeltas.isEmpty, "\(family.name)")
            #expect(server.requests.count == 1, "\(family.name)")
            #expect(await recorder.sleeps.isEmpty, "\(family.name)")
        }
    }

    @Test("a stream kept open after its terminal marker completes at the marker", arguments: families)
    func completeAtTheTerminalMarker(_ family: Family) async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(family.fake.reply(Self.reply, stream: true).holdingOpen(for: .seconds(120)))
            let adapter = try provider(family, server)
            let clock = ContinuousClock()
            let start = clock.now
            let events = try await drain(adapter.stream(request()))

            #expect(clock.now - start < .seconds(60), "\(family.name)")
            #expect(events.completed?.message.text == Self.reply.text, "\(family.name)")
            #expect(events.completed?.finishReason == .stop, "\(family.name)")
        }
    }

    @Test("a stream that never ends fails at the reply's size cap, naming it", arguments: families)
    func endlessStreamHitsTheCap(_ family: Family) async throws {
        try await FakeVendorServer.withServer { server in
            var endless = family.fake.reply(Self.reply, stream: true)
            endless.chunks.removeLast()
            server.enqueue(endless.repeating(family.filler))
            let adapter = try provider(family, server, maxStreamBytes: 256 * 1024)
            let error = try await #require(throws: ProviderError.self) { try await drain(adapter.stream(request())) }

            #expect(
                error.description
                    == "provider '\(family.name)': HTTP 200: the streamed reply exceeds 262144 bytes; Trellis stopped reading it"
            )
            #expect(!error.isRetryable)
        }
    }

    @Test("one endless line or event fails at the line cap, naming it", arguments: families)
    func endlessLineHitsTheLineCap(_ family: Family) async throws {
        try await FakeVendorServer.withServer { server in
            let prefix = family.filler.hasPrefix("\n") ? "" : "data: "
            server.enqueue(
                FakeResponse(headers: family.fake.reply(Self.reply, stream: true).headers, chunks: [prefix])
                    .repeating(String(repeating: "x", count: 4096)))
            let adapter = try provider(family, server, maxLineBytes: 64 * 1024)
            let error = try await #require(throws: ProviderError.self) { try await drain(adapter.stream(request())) }

            #expect(
                error.description
                    == "provider '\(family.name)': HTTP 200: one line of the streamed reply exceeds 65536 bytes; Trellis stopped reading it"
            )
        }
    }

    @Test("the caps by default: 32 MiB for a body, 64 MiB for a stream, 8 MiB for one line or event")
    func defaultCaps() {
        let limits = ReplyLimits()
        #expect(ReplyLimits.describe(limits.maxBodyBytes) == "32 MiB")
        #expect(ReplyLimits.describe(limits.maxStreamBytes) == "64 MiB")
        #expect(ReplyLimits.describe(limits.maxLineBytes) == "8 MiB")
        #expect(limits.idleTimeout == nil)
    }

    /// `provider` with `change` applied to its reply limits.
    func limited(_ provider: any ModelProvider, _ change: (inout ReplyLimits) -> Void) -> any ModelProvider {
        switch provider {
        case var openAI as OpenAICompatibleProvider:
            change(&openAI.http.limits)
            return openAI
        case var anthropic as AnthropicProvider:
            change(&anthropic.http.limits)
            return anthropic
        case var ollama as OllamaProvider:
            change(&ollama.http.limits)
            return ollama
        case var yandex as YandexProvider:
            change(&yandex.http.limits)
            return yandex
        default:
            return provider
        }
    }
}
