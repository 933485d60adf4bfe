/// How to reach one model provider: the `providers:` entry of `trellis.yaml`, or a built-in default.
///
/// The API key is redacted from ``description``; it never reaches logs or error messages.
public struct ProviderConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The name agents use (`openai`, `local`, ...).
    public var name: String
    /// The wire format (`openai`).
    public var kind: String
    /// The API root, such as `https://api.openai.com/v1`.
    public var baseURL: String
    /// The API key, if the provider needs one.
    public var apiKey: String?
    /// Extra request headers, in order.
    public var headers: [HTTPHeaderField]
    /// Deadline for one HTTP request, retries excluded.
    public var timeout: Duration
    /// How many times a failed request is retried (429, 5xx, connection errors).
    public var maxRetries: Int
    /// Where the key should come from, for error messages (`OPENAI_API_KEY`).
    public var apiKeyHint: String?
    /// Settings only this provider's kind understands (`folder_id` for Yandex, `provider_api_key` for Dewiar),
    /// by key; see ``ProviderKind/settings``.
    public var settings: JSONObject
    /// Prices per model id, for providers that do not report a cost themselves.
    public var pricing: [String: ModelPricing]

    /// Creates a configuration.
    public init(
        name: String,
        kind: String,
        baseURL: String,
        apiKey: String? = nil,
        headers: [HTTPHeaderField] = [],
        timeout: Duration = .seconds(120),
        maxRetries: Int = 2,
        apiKeyHint: String? = nil,
        settings: JSONObject = JSONObject(),
        pricing: [String: ModelPricing] = [:]
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.apiKeyHint = apiKeyHint
        self.settings = settings
        self.pricing = pricing
    }

    /// A kind-specific setting as text, or `nil` when it is missing or empty.
    public func setting(_ name: String) -> String? {
        guard case .string(let value)? = settings[name], !value.isEmpty else { return nil }
        return value
    }

    public var description: String {
        "\(name) (\(kind) at \(URLCredentials.redacted(baseURL))\(apiKey == nil ? "" : ", key set"))"
    }
}

/// One HTTP header name and value.
public struct HTTPHeaderField: Sendable, Hashable {
    /// The header's name.
    public var name: String
    /// The header's value.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
