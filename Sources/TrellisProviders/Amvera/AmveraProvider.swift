import AsyncHTTPClient
import NIOHTTP1
import TrellisCore

/// The adapter for Amvera LLM Inference (PROVIDERS §7): `POST {base}/models/<route>` with
/// `X-Auth-Token: Bearer <token>`, one route per model family.
///
/// The route comes from the model name (`llama8b`, `llama70b` → llama; `gpt-4.1`, `gpt-5` → gpt; `deepseek-V3` →
/// deepseek; `qwen3_30b` → qwen) unless the `route` setting fixes it; the gpt route speaks an OpenAI-like body,
/// the others a Yandex-like one, unless the `wire` setting says otherwise. Tools are sent on the OpenAI shape only
/// (see ``AmveraRequestEncoder``). Amvera cannot stream: ``stream(_:)`` fetches the whole reply and hands it out
/// as events. A 402 (no balance for a paid model) is not retried.
///
/// ```swift
/// let amvera = try AmveraProvider(configuration: ProviderConfiguration(
///     name: "amvera", kind: "amvera", baseURL: "https://kong-proxy.yc.amvera.ru/api/v1", apiKey: token))
/// let reply = try await amvera.complete(ModelRequest(model: "llama70b", messages: [.user("Привет!")]))
/// ```
public struct AmveraProvider: ModelProvider {
    /// `kind: amvera`.
    public static let kind = ProviderKind(
        name: "amvera", summary: "Amvera LLM Inference (llama, gpt, deepseek and qwen routes)",
        defaultBaseURL: "https://kong-proxy.yc.amvera.ru/api/v1", keyVariable: "AMVERA_TOKEN",
        baseURLVariable: "AMVERA_BASE_URL",
        settings: [
            .init(
                name: "route",
                description: "The route for every model (llama, gpt, deepseek, qwen); by default from the model name"),
            .init(
                name: "wire",
                description: "The body shape (yandex, openai); by default openai for gpt and yandex for the rest"),
        ])

    /// The HTTP client; tests lower its ``ProviderHTTPClient/limits``.
    var http: ProviderHTTPClient
    let retry: RetryPolicy
    let base: String
    let fixedRoute: AmveraRoute?
    let fixedWire: AmveraWire?

    /// Creates an adapter.
    ///
    /// - Parameters:
    ///   - configuration: Base URL, token (trimmed, sent as `X-Auth-Token: Bearer <token>`), headers, timeout,
    ///     retry count, and the `route` and `wire` settings.
    ///   - client: The HTTP client; the shared one by default.
    ///   - retry: The retry policy; by default `configuration.maxRetries` retries with exponential backoff.
    /// - Throws: ``ProviderFactory/SetupError`` for a `route` or `wire` value Amvera does not have.
    public init(configuration: ProviderConfiguration, client: HTTPClient = .trellis, retry: RetryPolicy? = nil) throws {
        func choice<T: RawRepresentable & CaseIterable>(_ setting: String, _: T.Type) throws -> T?
        where T.RawValue == String {
            guard let text = configuration.setting(setting) else { return nil }
            guard let value = T(rawValue: text.lowercased()) else {
                throw ProviderFactory.SetupError(
                    message: "provider '\(configuration.name)': \(setting) '\(text)' is not known; use "
                        + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return value
        }
        self.fixedRoute = try choice("route", AmveraRoute.self)
        self.fixedWire = try choice("wire", AmveraWire.self)
        var headers: [HTTPHeaderField] = []
        if var token = configuration.apiKey?.trimmingSpacesAndNewlines {
            if token.hasPrefix("Bearer ") { token = String(token.dropFirst(7)).trimmingSpacesAndNewlines }
            if !token.isEmpty { headers.append(HTTPHeaderField(name: "X-Auth-Token", value: "Bearer \(token)")) }
        }
        self.http = ProviderHTTPClient(configuration: configuration, client: client, headers: headers)
        self.retry = retry ?? RetryPolicy(maxRetries: configuration.maxRetries)
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
    }

    var name: String { http.configuration.name }

    /// The route for `model`.
    ///
    /// - Throws: ``ProviderError/unsupportedRequest(provider:message:)`` for a model no route is known to serve.
    func route(for model: String) throws -> AmveraRoute {
        if let fixedRoute { return fixedRoute }
        guard let route = AmveraRoute.serving(model) else {
            throw ProviderError.unsupportedRequest(
                provider: name,
                message: "cannot tell which Amvera route serves model '\(model)': known are "
                    + "llama (llama8b, llama70b), gpt (gpt-*), deepseek (deepseek-*) and qwen (qwen*); "
                    + "set route in the provider's entry in trellis.yaml")
        }
        return route
    }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let route = try route(for: request.model)
        let body = try AmveraRequestEncoder.body(
            for: request, wire: fixedWire ?? route.defaultWire, provider: name
        ).serialized()
        do {
            return try await retry.run {
                let response = try await http.post(
                    base + "/models/" + route.rawValue, body: body, decodeError: AmveraResponseDecoder.errorMessage)
                let text = try await http.readBody(response)
                return try AmveraResponseDecoder.response(
                    from: text, provider: name, status: Int(response.status.code), maxTokens: request.options.maxTokens)
            }
        } catch let error as ProviderError {
            throw http.redacting(error)
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        SingleReplyStream.make { try await complete(request) }
    }
}
