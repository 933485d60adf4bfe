import TrellisCore

/// What one OpenAI-compatible vendor does differently from OpenAI itself: its ``ProviderKind`` (default base URL,
/// key variable, settings), the endpoint path, the settings copied into every request body, and whether its
/// replies carry Dewiar's `billing` block.
///
/// ``OpenAICompatibleProvider`` picks the dialect named by `ProviderConfiguration.kind`, so every preset is
/// registered with the same adapter:
///
/// ```swift
/// let provider = OpenAICompatibleProvider(
///     configuration: ProviderConfiguration(name: "dewiar", kind: "dewiar", baseURL: "https://dewiar.com/API/api",
///                                          apiKey: key, settings: ["provider_api_key": "sk-ant-..."]))
/// ```
public struct OpenAIDialect: Sendable, Hashable {
    /// The kind this dialect serves, as registered in `ProviderFactory`.
    public var kind: ProviderKind
    /// Appended to the base URL to form the endpoint; empty when the base URL is the endpoint (Dewiar).
    public var path: String
    /// Settings of the provider's entry sent as top-level body fields of the same name (`provider_api_key`).
    public var bodySettings: [String]
    /// Settings that are secrets: never logged, redacted from errors like the API key.
    public var secretSettings: [String]
    /// Whether replies carry a `billing` block (`request_cost`, ...) and streams a `billing_update` event.
    public var reportsBilling: Bool

    /// Creates a dialect.
    public init(
        kind: ProviderKind, path: String = "/chat/completions", bodySettings: [String] = [],
        secretSettings: [String] = [], reportsBilling: Bool = false
    ) {
        self.kind = kind
        self.path = path
        self.bodySettings = bodySettings
        self.secretSettings = secretSettings
        self.reportsBilling = reportsBilling
    }

    /// OpenAI itself, or any compatible server at `base_url` (PROVIDERS §1).
    public static let openAI = OpenAIDialect(
        kind: ProviderKind(
            name: "openai", summary: "OpenAI Chat Completions and compatible servers",
            defaultBaseURL: "https://api.openai.com/v1", keyVariable: "OPENAI_API_KEY",
            baseURLVariable: "OPENAI_BASE_URL", capabilities: [.embeddings]))

    /// Dewiar's unified API (PROVIDERS §5): one URL for every `provider/name` model, an optional upstream key
    /// (BYOK) in the body, and the cost of each request in a `billing` block.
    public static let dewiar = OpenAIDialect(
        kind: ProviderKind(
            name: "dewiar", summary: "Dewiar unified API (OpenAI-compatible, models as provider/name, billing)",
            defaultBaseURL: "https://dewiar.com/API/api", keyVariable: "DEWIAR_API_KEY",
            baseURLVariable: "DEWIAR_BASE_URL",
            settings: [
                .init(
                    name: "provider_api_key",
                    description: "Your own key for the upstream provider (BYOK), billed to you; never logged",
                    variable: "DEWIAR_PROVIDER_API_KEY")
            ]),
        path: "", bodySettings: ["provider_api_key"], secretSettings: ["provider_api_key"], reportsBilling: true)

    /// SiliconFlow (PROVIDERS §4): OpenAI-compatible, finishes with `eos`, `{"code","message","data"}` errors.
    public static let siliconFlow = OpenAIDialect(
        kind: ProviderKind(
            name: "siliconflow", summary: "SiliconFlow (OpenAI-compatible)",
            defaultBaseURL: "https://api.siliconflow.cn/v1", keyVariable: "SILICONFLOW_API_KEY",
            baseURLVariable: "SILICONFLOW_BASE_URL", capabilities: [.embeddings]))

    /// A vLLM OpenAI-compatible server (PROVIDERS §3); a key only if the server was started with `--api-key`.
    public static let vLLM = OpenAIDialect(
        kind: ProviderKind(
            name: "vllm", summary: "vLLM OpenAI-compatible server", defaultBaseURL: "http://127.0.0.1:8000/v1",
            keyVariable: "VLLM_API_KEY", baseURLVariable: "VLLM_BASE_URL", requiresKey: false,
            capabilities: [.embeddings]))

    /// Every dialect the adapter speaks.
    public static let all: [OpenAIDialect] = [.openAI, .dewiar, .siliconFlow, .vLLM]

    /// The dialect for a kind name, or ``openAI`` for any other.
    public static func named(_ kind: String) -> OpenAIDialect {
        all.first { $0.kind.name == kind } ?? .openAI
    }

    /// The endpoint for a base URL: trailing slashes dropped, ``path`` appended.
    func endpoint(baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}
