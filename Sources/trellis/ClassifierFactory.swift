import Foundation
import TrellisConfig
import TrellisCore
import TrellisProviders
import TrellisRuntime

/// Builds the classifier of one `routes.classifier` entry for a workspace: `keyword` from the routes alone, the
/// others with a provider from `trellis.yaml` (for `llm` a model chain, so fallbacks and pricing apply).
struct ClassifierFactory {
    let workspace: Workspace
    let options: WorkspaceOptions
    let localHost: (any LocalModelHost)?

    /// The folder of the embedding cache: `.trellis/cache/embeddings` in the workspace.
    var cacheFolder: String {
        (WorkspaceOptions.absolute(workspace.root) as NSString).appendingPathComponent(".trellis/cache/embeddings")
    }

    func make(_ spec: ClassifierSpec, routes: [Route], agent: AgentDefinition) throws -> any RouteClassifier {
        switch spec.kind {
        case .keyword:
            return try KeywordClassifier(routes: routes)
        case .llm:
            var chooser = agent
            chooser.model = spec.model ?? agent.model
            let provider = try options.provider(for: chooser, in: workspace, localHost: localHost)
            return LLMClassifier(
                provider: provider, model: chooser.model.name, routes: routes, options: chooser.model.options)
        case .embedding:
            let (adapter, model, kind) = try self.adapter(for: spec, agent: agent)
            guard let embedder = adapter as? any EmbeddingProvider else {
                throw RouteSetupError("provider '\(model.provider)' (kind \(kind)) cannot embed text")
            }
            // Yandex embeds documents and queries with two models; a model named for either picks the pair.
            let yandexPair = ["text-search-doc", "text-search-query"]
            let isYandexPair = kind == YandexProvider.kind.name && yandexPair.contains(model.name)
            return EmbeddingClassifier(
                provider: embedder, documentModel: isYandexPair ? yandexPair[0] : model.name,
                queryModel: isYandexPair ? yandexPair[1] : model.name, routes: routes,
                cache: FileEmbeddingCache(folder: cacheFolder), cacheScope: "\(model.provider) (\(kind))")
        case .fewshot:
            let (adapter, model, kind) = try self.adapter(for: spec, agent: agent)
            guard let classifier = adapter as? any ClassificationProvider else {
                throw RouteSetupError("provider '\(model.provider)' (kind \(kind)) has no few-shot classifier")
            }
            return try FewShotClassifier(provider: classifier, model: model.name, routes: routes)
        }
    }

    /// The adapter itself, not a chain: embedding and classification are the adapter's own endpoints.
    private func adapter(for spec: ClassifierSpec, agent: AgentDefinition) throws
        -> (any ModelProvider, ModelReference, String)
    {
        let model = spec.model ?? agent.model
        guard let configuration = workspace.configuration.providers[model.provider] else {
            throw CLIFailure.invalid(
                "agent '\(agent.name)': routes.classifier \(spec.kind.rawValue): unknown provider '\(model.provider)'",
                code: .unknownProvider)
        }
        let context = ProviderFactory.Context(
            workspace: WorkspaceOptions.absolute(workspace.root), localHost: localHost)
        do {
            return (
                try ProviderFactory.make(configuration, model: model.name, context: context), model,
                configuration.kind
            )
        } catch {
            throw CLIFailure.invalid(
                "\(error)", code: (error as? ProviderFactory.SetupError)?.cliCode ?? .invalidDefinition)
        }
    }
}
