import Foundation
import Testing
import TrellisCore

@testable import TrellisProviders

/// The provider-check battery against the real vendor APIs. Each test runs only when its key variable is set
/// (`YANDEX_API_KEY` with `YANDEX_FOLDER_ID`, `AMVERA_TOKEN`, ...); without it the test is skipped.
struct LiveProviderTests {
    static let environment = ProcessInfo.processInfo.environment

    static func isSet(_ names: String...) -> Bool { names.allSatisfy { environment[$0]?.isEmpty == false } }

    /// Runs the battery against the built-in provider of `kind`, configured from the environment as the CLI does.
    func battery(kind: String, model: String) async throws {
        let descriptor = try #require(ProviderFactory.kinds.first { $0.name == kind })
        let provider = try ProviderFactory.make(descriptor.builtinProvider(environment: Self.environment))
        let outcomes = await ProviderCheck.run(provider, model: model)
        #expect(outcomes.first?.passed == true, "\(outcomes.map { "\($0.name): \($0.problem ?? "ok")" })")
        // Tool checks depend on the model; they are reported, not required.
        for outcome in outcomes { print("\(kind) \(outcome.name): \(outcome.problem ?? "ok") \(outcome.quirks)") }
    }

    @Test(.enabled(if: isSet("OPENAI_API_KEY"))) func openAI() async throws {
        try await battery(kind: "openai", model: Self.environment["OPENAI_MODEL"] ?? "gpt-4o-mini")
    }

    @Test(.enabled(if: isSet("YANDEX_API_KEY", "YANDEX_FOLDER_ID"))) func yandex() async throws {
        try await battery(kind: "yandex", model: Self.environment["YANDEX_MODEL"] ?? "yandexgpt")
    }

    @Test(.enabled(if: isSet("AMVERA_TOKEN"))) func amvera() async throws {
        try await battery(kind: "amvera", model: Self.environment["AMVERA_MODEL"] ?? "gpt-4.1")
    }

    @Test(.enabled(if: isSet("DEWIAR_API_KEY"))) func dewiar() async throws {
        try await battery(kind: "dewiar", model: Self.environment["DEWIAR_MODEL"] ?? "openai/gpt-5-mini")
    }

    @Test(.enabled(if: isSet("SILICONFLOW_API_KEY"))) func siliconFlow() async throws {
        try await battery(
            kind: "siliconflow", model: Self.environment["SILICONFLOW_MODEL"] ?? "Qwen/Qwen2.5-72B-Instruct")
    }

    @Test(.enabled(if: isSet("VLLM_BASE_URL"))) func vllm() async throws {
        try await battery(
            kind: "vllm", model: Self.environment["VLLM_MODEL"] ?? "meta-llama/Llama-3.2-11B-Vision-Instruct")
    }

    @Test(.enabled(if: isSet("ANTHROPIC_API_KEY"))) func anthropic() async throws {
        try await battery(kind: "anthropic", model: Self.environment["ANTHROPIC_MODEL"] ?? "claude-sonnet-4-0")
    }

    @Test(.enabled(if: isSet("OLLAMA_HOST"))) func ollama() async throws {
        try await battery(kind: "ollama", model: Self.environment["OLLAMA_MODEL"] ?? "llama3.2")
    }
}
