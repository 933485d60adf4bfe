/// An agent's model with its fallbacks: each request goes to the first model, and to the next one when it fails
/// after its retries; replies are priced and labelled with the model that produced them.
///
/// A model is skipped only for failures the next model may not share: connection errors, timeouts, 401/402/403,
/// 404 (no such model there), 408, 409, 429, 5xx and replies the adapter could not read. A 400, 413 or 422 means the
/// request itself is wrong; it would fail everywhere, so it is reported at once. A stream falls back only while it
/// has produced nothing; once text has been shown, its failure is the run's.
///
/// ```swift
/// let chain = ModelChain(links: [
///     .init(model: ModelReference(provider: "yandex", name: "yandexgpt"), provider: yandex),
///     .init(model: ModelReference(provider: "local", name: "qwen"), provider: local,
///           pricing: ModelPricing(inputPerMillion: 0, outputPerMillion: 0)),
/// ])
/// let reply = try await chain.complete(request)   // reply.source == "yandex/yandexgpt" or "local/qwen"
/// ```
public struct ModelChain: ModelProvider {
    /// One model of the chain.
    public struct Link: Sendable {
        /// The configured model; its name and options replace the request's for every link after the first.
        public var model: ModelReference
        /// The adapter that serves it.
        public var provider: any ModelProvider
        /// The price used when the provider does not report a cost.
        public var pricing: ModelPricing?

        /// Creates a link.
        public init(model: ModelReference, provider: any ModelProvider, pricing: ModelPricing? = nil) {
            self.model = model
            self.provider = provider
            self.pricing = pricing
        }
    }

    /// The models, in the order they are tried.
    public let links: [Link]

    /// Creates a chain; it needs at least one link.
    public init(links: [Link]) {
        precondition(!links.isEmpty, "a model chain needs at least one model")
        self.links = links
    }

    /// Whether a failure should move the request on to the next model.
    public static func shouldFallBack(after error: any Error) -> Bool {
        guard let error = error as? ProviderError, !error.isStreamRefused else { return false }
        guard let status = error.status else { return true }
        return ![400, 413, 422].contains(status)
    }

    public func complete(_ request: ModelRequest) async throws -> ModelResponse {
        var failures: [String] = []
        for (index, link) in links.enumerated() {
            do {
                return labelled(try await link.provider.complete(self.request(request, for: index)), by: link)
            } catch {
                guard index + 1 < links.count, Self.shouldFallBack(after: error) else {
                    throw Self.withEarlierFailures(error, failures)
                }
                failures.append("\(link.model): \(error)")
            }
        }
        preconditionFailure("the last link always returns or throws")
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let state = StreamState(chain: self, request: request)
        return AsyncThrowingStream(unfolding: { try await state.next() })
    }

    func request(_ request: ModelRequest, for index: Int) -> ModelRequest {
        guard index > 0 else { return request }
        var copy = request
        copy.model = links[index].model.name
        copy.options = links[index].model.options
        return copy
    }

    func labelled(_ response: ModelResponse, by link: Link) -> ModelResponse {
        var response = response
        response.source = link.model.description
        if var usage = response.usage, usage.cost == nil, let pricing = link.pricing {
            usage.cost = pricing.cost(of: usage)
            response.usage = usage
        }
        return response
    }

    /// A failure of the last model tried, with the earlier models' failures named in its message.
    static func withEarlierFailures(_ error: any Error, _ failures: [String]) -> any Error {
        guard !failures.isEmpty, let error = error as? ProviderError else { return error }
        return error.appending(" (after fallbacks failed: \(failures.joined(separator: "; ")))")
    }

    /// Walks the links for one stream; only its single consumer touches it, one call at a time.
    private final class StreamState: @unchecked Sendable {
        let chain: ModelChain
        let request: ModelRequest
        var index = 0
        var iterator: AsyncThrowingStream<ModelEvent, any Error>.AsyncIterator?
        var produced = false
        var failures: [String] = []

        init(chain: ModelChain, request: ModelRequest) {
            self.chain = chain
            self.request = request
        }

        func next() async throws -> ModelEvent? {
            while true {
                let link = chain.links[index]
                if iterator == nil {
                    iterator = link.provider.stream(chain.request(request, for: index)).makeAsyncIterator()
                }
                do {
                    guard let event = try await iterator?.next() else { return nil }
                    produced = true
                    if case .completed(let response) = event { return .completed(chain.labelled(response, by: link)) }
                    return event
                } catch {
                    guard !produced, index + 1 < chain.links.count, ModelChain.shouldFallBack(after: error) else {
                        throw ModelChain.withEarlierFailures(error, failures)
                    }
                    failures.append("\(link.model): \(error)")
                    index += 1
                    iterator = nil
                }
            }
        }
    }
}
