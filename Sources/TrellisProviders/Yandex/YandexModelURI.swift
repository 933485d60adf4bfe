import TrellisCore

/// Builds Yandex model URIs (`gpt://<folder>/yandexgpt-lite/latest`) from the short names agents use.
enum YandexModelURI {
    /// What a URI names: a text model, an embedding model or a classifier.
    enum Scheme: String {
        case gpt, emb, cls
    }

    /// The full URI for `model`.
    ///
    /// A name with `://` is kept as written; `name` becomes `<scheme>://<folder>/name/latest` and `name/branch`
    /// (`yandexgpt/rc`) becomes `<scheme>://<folder>/name/branch`.
    ///
    /// - Throws: ``ProviderError/unsupportedRequest(provider:message:)`` for a short name when no folder is
    ///   configured.
    static func resolve(_ model: String, scheme: Scheme, folder: String?, provider: String) throws -> String {
        if model.contains("://") { return model }
        guard let folder else {
            throw ProviderError.unsupportedRequest(
                provider: provider,
                message: "needs a folder id for the short model name '\(model)': set folder_id "
                    + "in its entry in trellis.yaml or YANDEX_FOLDER_ID, or give the full model URI "
                    + "(\(scheme.rawValue)://<folder>/\(model)\(model.contains("/") ? "" : "/latest"))")
        }
        let path = model.contains("/") ? model : model + "/latest"
        return "\(scheme.rawValue)://\(folder)/\(path)"
    }
}
