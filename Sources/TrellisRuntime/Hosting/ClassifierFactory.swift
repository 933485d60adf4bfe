import Foundation
import TrellisConfig
import TrellisCore
import TrellisProviders

/// Builds the classifier of one `routes.classifier` entry for a workspace: `keyword` from the routes alone, the
/// others with a provider from `trellis.yaml` (for `llm` a model chain, so fallbacks and pricing apply).
struct ClassifierFactory {
    let host: WorkspaceHost

    /// The folder of the embedding cache: `.trellis/cache/embeddings` in the workspace.
    var cacheFolder: String { (host.root as NSString).appendingPathComponent(".trellis/cache/embeddings") }

    func make(_ spec: ClassifierSpec, routes: [Route], agent: AgentDefinition) throws -> any RouteClassifier {
        switch spec.kind {
        case .keyword:
            return try KeywordClassifier(routes: routes)
        case .llm:
            var chooser = agent
            chooser.model = spec.model ?? agent.model
            let provider = try host.chain(for: chooser)
            return LLMClassifier(
                provider: provider, model: chooser.model.name, routes: routes, options: chooser.model.options)
        case .embedding:
            let (chain, model, kind) = try self.chain(for: spec, agent: agent)
            guard chain.canEmbed else {
                throw RouteSetupError("provider '\(model.provider)' (kind \(kind)) cannot embed text")
            }
            // Yandex embeds documents and queries with two models; a model named for either picks the pair.
            let yandexPair = ["text-search-doc", "text-search-query"]
            let isYandexPair = kind == YandexProvider.kind.name && yandexPair.contains(model.name)
            return EmbeddingClassifier(
                provider: chain, documentModel: isYandexPair ? yandexPair[0] : model.name,
                queryModel: isYandexPair ? yandexPair[1] : model.name, routes: routes,
                cache: FileEmbeddingCache(folder: cacheFolder), cacheScope: "\(model.provider) (\(kind))")
        case .fewshot:
            let (chain, model, kind) = try self.chain(for: spec, agent: agent)
            guard chain.canClassify else {
                throw RouteSetupError("provider '\(model.provider)' (kind \(kind)) has no few-shot classifier")
            }
            return try FewShotClassifier(provider: chain, model: model.name, routes: routes)
        }
    }

    /// The classifier model's chain (its fallbacks included), its reference and its provider's kind.
    private func chain(for spec: ClassifierSpec, agent: AgentDefinition) throws -> (ModelChain, ModelReference, String)
    {
        var owner = agent
        owner.model = spec.model ?? agent.model
        let chain = try host.chain(for: owner)
        let kind = host.workspace.configuration.providers[owner.model.provider]?.kind ?? owner.model.provider
        return (chain, owner.model, kind)
    }
}
