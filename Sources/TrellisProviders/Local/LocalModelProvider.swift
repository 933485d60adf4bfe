import AsyncHTTPClient
import TrellisCore

/// `kind: local`: a GGUF model that Trellis serves itself, on llama-cpp-python's OpenAI-compatible server started
/// as a child process on a free loopback port (see ``LocalModelHost``), or on a server already running at
/// `base_url`.
///
/// The server's quirks are handled here: it ignores tools offered without a `tool_choice` (sent as `auto`), it
/// answers HTTP 500 to `tool_choice: "required"` (sent as the one tool's name when there is one, else `auto`), and
/// it cannot stream a reply whose tool choice it has to make itself
/// (`auto`): it answers 200 with an empty body. Such a request is sent unstreamed and its text given as one delta.
///
/// ```yaml
/// # agents/quickstart.yaml
/// model: local/smollm2          # .trellis/models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/setup-local-model)
/// ```
public struct LocalModelProvider: ModelProvider {
    /// `kind: local`.
    public static let kind = ProviderKind(
        name: "local",
        summary: "A GGUF model on llama-cpp-python's server, started and stopped by Trellis (or one at base_url)",
        defaultBaseURL: "", baseURLVariable: "LOCAL_LLM_URL", requiresKey: false,
        settings: [
            .init(
                name: "python",
                description: "The Python with llama-cpp-python[server] (default .trellis/venv/bin/python)",
                variable: "TRELLIS_LOCAL_PYTHON"),
            .init(
                name: "models_dir", description: "Where model names are looked up (default .trellis/models)",
                variable: "TRELLIS_MODELS_DIR"),
            .init(name: "chat_format", description: "The server's --chat_format (default chatml-function-calling)"),
            .init(name: "context_size", description: "The context window in tokens (default 4096)", type: "integer"),
            .init(name: "server_args", description: "Further arguments for the server", type: "array"),
            .init(
                name: "startup_timeout", description: "How long the server may take to start (default 120s)",
                type: ProviderKind.Setting.duration),
        ])

    let configuration: ProviderConfiguration
    let client: HTTPClient
    let workspace: String
    let host: (any LocalModelHost)?

    /// Creates the adapter.
    ///
    /// - Parameters:
    ///   - configuration: The provider; with a `base_url` the server there is used and nothing is started.
    ///   - client: The HTTP client.
    ///   - workspace: The folder the settings' relative paths start from.
    ///   - host: Starts the servers; needed unless `base_url` is set.
    public init(
        configuration: ProviderConfiguration, client: HTTPClient = .trellis, workspace: String,
        host: (any LocalModelHost)?
    ) {
        self.configuration = configuration
        self.client = client
        self.workspace = workspace
        self.host = host
    }

    /// Throws the `model_not_installed` ``ProviderFactory/SetupError`` when the server would have to be started and
    /// the model or the server is not installed.
    static func checkInstalled(
        configuration: ProviderConfiguration, model: String, context: ProviderFactory.Context
    ) throws {
        guard configuration.baseURL.isEmpty else { return }
        _ = try LocalModelLaunch(configuration: configuration, model: model, workspace: context.workspace)
    }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        let (server, launch) = try await server(for: request.model)
        do {
            return try await server.complete(Self.adapted(request))
        } catch let error as ProviderError {
            throw explained(error, launch)
        }
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let request = Self.adapted(request)
        let state = StreamState()
        return AsyncThrowingStream(unfolding: {
            do {
                return try await state.next(of: request, from: self)
            } catch let error as ProviderError {
                throw explained(error, state.launch)
            }
        })
    }

    /// One stream's progress; only the stream's single consumer touches it, one call at a time.
    private final class StreamState: @unchecked Sendable {
        var upstream: AsyncThrowingStream<ModelEvent, any Error>.AsyncIterator?
        var whole: [ModelEvent]?
        var launch: LocalModelLaunch?

        func next(of request: ModelRequest, from provider: LocalModelProvider) async throws -> ModelEvent? {
            if whole == nil, upstream == nil {
                let (server, launch) = try await provider.server(for: request.model)
                self.launch = launch
                if LocalModelProvider.canStream(request) {
                    upstream = server.stream(request).makeAsyncIterator()
                } else {
                    let response = try await server.complete(request)
                    let text = response.message.text
                    whole = (text.isEmpty ? [] : [.textDelta(text)]) + [.completed(response)]
                }
            }
            if var events = whole {
                guard !events.isEmpty else { return nil }
                let event = events.removeFirst()
                whole = events
                return event
            }
            return try await upstream?.next()
        }
    }

    /// The error with what became of the server, when it died.
    func explained(_ error: ProviderError, _ launch: LocalModelLaunch?) -> ProviderError {
        guard let launch, let diagnosis = host?.diagnosis(for: launch) else { return error }
        return error.appending("; \(diagnosis)")
    }

    /// Whether the server can stream this request: it can unless it must pick between text and tools itself.
    static func canStream(_ request: ModelRequest) -> Bool {
        guard !request.tools.isEmpty else { return true }
        switch request.toolChoice {
        case .function?, ToolChoice.none?: return true
        case .auto?, .required?, nil: return false
        }
    }

    /// The request as the server takes it: without a tool choice it ignores the tools, so none means `auto`;
    /// `required` (HTTP 500 there) becomes the only tool's name, or `auto`.
    static func adapted(_ request: ModelRequest) -> ModelRequest {
        guard !request.tools.isEmpty else { return request }
        var copy = request
        switch request.toolChoice {
        case nil: copy.toolChoice = .auto
        case .required?: copy.toolChoice = request.tools.count == 1 ? .function(request.tools[0].name) : .auto
        default: break
        }
        return copy
    }

    /// The OpenAI-compatible adapter for the model's server, started if needed, and what it was started for.
    func server(for model: String) async throws -> (OpenAICompatibleProvider, LocalModelLaunch?) {
        var target = configuration
        target.kind = "openai"
        var started: LocalModelLaunch?
        if configuration.baseURL.isEmpty {
            let launch: LocalModelLaunch
            do {
                launch = try LocalModelLaunch(configuration: configuration, model: model, workspace: workspace)
            } catch let error as ProviderFactory.SetupError {
                throw ProviderError.unsupportedRequest(provider: configuration.name, message: error.message)
            }
            guard let host else {
                throw ProviderError.unsupportedRequest(
                    provider: configuration.name, message: "no local model host to start the server (set base_url)")
            }
            target.baseURL = try await host.baseURL(for: launch, provider: configuration.name)
            started = launch
        }
        return (OpenAICompatibleProvider(configuration: target, client: client, dialect: .openAI), started)
    }
}
