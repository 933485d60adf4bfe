import Foundation
import Testing
import TrellisCore
import TrellisProviders
import TrellisTesting

/// The fakes' wire bytes are the fuzz targets' seeds (`fuzz/corpus/<target>/`): each decodes through the same
/// entry points the targets use, to a reply. With `TRELLIS_WRITE_FUZZ_SEEDS=<folder>` the test also writes them
/// there, one file each, which is how the committed seeds were made.
@Suite struct FuzzSeedTests {
    /// One seed: the target it belongs to, a file name, and the bytes.
    struct Seed {
        var target: String
        var name: String
        var bytes: String
        /// Whether the bytes are a reply of the target's wire (else an error or a side reply).
        var isReply = true
    }

    static let replies: [(String, FakeReply)] = [
        ("text", .text("Hello there, friend.")),
        ("unicode", .text("Snow in Kazan, -3 °C. Снег 🌨")),
        ("call", .calls(.init("get_weather", #"{"city":"Kazan"}"#))),
        ("calls", .calls(.init("get_weather", #"{"city":"Kazan"}"#), .init("clock", "{}"))),
        ("reasoning", FakeReply(text: "42", reasoning: "Think: 6 × 7.")),
        ("truncated", FakeReply(text: "Once upon a", truncated: true)),
    ]

    /// The seeds of one vendor fake: every reply as a body and as a stream, and an error body.
    static func seeds(_ fake: any VendorFake.Type, name: String, target: String, framing: String?) -> [Seed] {
        var seeds: [Seed] = []
        for (label, reply) in replies {
            seeds.append(Seed(target: target, name: "\(name)-\(label)", bytes: fake.reply(reply, stream: false).body))
            let stream = fake.reply(reply, stream: true).body
            seeds.append(Seed(target: target, name: "\(name)-\(label)-stream", bytes: stream))
            if let framing { seeds.append(Seed(target: framing, name: "\(name)-\(label)", bytes: stream)) }
        }
        for status in [400, 429, 500] {
            let error = fake.error(status: status, message: "Rate limit reached", retryAfter: nil).body
            seeds.append(Seed(target: target, name: "\(name)-error-\(status)", bytes: error, isReply: false))
        }
        return seeds
    }

    static let all: [Seed] =
        seeds(OpenAIFake.self, name: "openai", target: "openai", framing: "sse")
        + seeds(DewiarFake.self, name: "dewiar", target: "openai", framing: "sse")
        + seeds(SiliconFlowFake.self, name: "siliconflow", target: "openai", framing: "sse")
        + seeds(VLLMFake.self, name: "vllm", target: "openai", framing: "sse")
        + seeds(AnthropicFake.self, name: "anthropic", target: "anthropic", framing: "sse")
        + seeds(OllamaFake.self, name: "ollama", target: "ollama", framing: "ndjson")
        + seeds(YandexFake.self, name: "yandex", target: "yandex", framing: "ndjson")
        + seeds(AmveraFake.self, name: "amvera", target: "amvera", framing: nil)
        + replies.map { Seed(target: "amvera", name: "amvera-gpt-\($0.0)", bytes: AmveraFake.gptBody($0.1)) }
        + [
            Seed(
                target: "yandex", name: "yandex-embedding", bytes: YandexFake.embedding([0.5, -1, 2e-3]).body,
                isReply: false),
            Seed(
                target: "yandex", name: "yandex-embedding-strings",
                bytes: YandexFake.embedding([0.5, 1], asStrings: true).body, isReply: false),
            Seed(
                target: "yandex", name: "yandex-classification",
                bytes: YandexFake.classification([.init(label: "spam", confidence: 0.9)], asStrings: true).body,
                isReply: false),
            Seed(target: "yandex", name: "yandex-refusal", bytes: YandexFake.topicRefusal().body, isReply: false),
        ]

    static let wires: [String: [WireDecoding.Wire]] = [
        "openai": [.openAI, .dewiar], "anthropic": [.anthropic], "ollama": [.ollama], "yandex": [.yandex],
        "amvera": [.amvera],
    ]

    @Test func everyReplySeedDecodesWholeAndByteByByte() throws {
        for seed in Self.all where seed.isReply && seed.target != "sse" && seed.target != "ndjson" {
            let wire = try #require(Self.wires[seed.target]?.first)
            if seed.name.hasSuffix("-stream") {
                let bytes = Array(seed.bytes.utf8)
                let whole = WireDecoding.stream(wire, chunks: [bytes])
                #expect(whole.error == nil, "\(seed.name): \(String(describing: whole.error))")
                let bytewise = WireDecoding.stream(wire, chunks: bytes.map { [$0] })
                #expect(bytewise.events.count == whole.events.count, "\(seed.name)")
            } else {
                #expect(throws: Never.self, "\(seed.name)") { try WireDecoding.response(wire, body: seed.bytes) }
            }
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["TRELLIS_WRITE_FUZZ_SEEDS"] != nil))
    func writeSeeds() throws {
        let root = try #require(ProcessInfo.processInfo.environment["TRELLIS_WRITE_FUZZ_SEEDS"])
        for seed in Self.all {
            let folder = root + "/" + seed.target
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(seed.bytes.utf8).write(to: URL(fileURLWithPath: folder + "/" + seed.name))
        }
    }
}

extension FakeResponse {
    /// The body as the client receives it: the chunks one after the other.
    fileprivate var body: String { chunks.joined() }
}
