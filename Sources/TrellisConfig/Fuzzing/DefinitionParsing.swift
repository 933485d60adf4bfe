import TrellisCore

/// The definition loaders behind one narrow door, for the fuzz targets (`fuzz/`) and their regression tests: the
/// text of one agent file, `trellis.yaml` or `plugin.yaml` in, what was read and every problem out, as
/// ``Workspace/load(root:environment:toolNames:toolSettingKeys:providerKinds:extraAgentFiles:)`` reads them but
/// without a workspace on disk.
package enum DefinitionParsing {
    /// Reads the text of an agent file at `path`.
    ///
    /// - Returns: The agent as far as it could be read (`nil` when the text is not a mapping), and the problems
    ///   in file order.
    package static func agent(
        _ text: String, path: String = "agents/fuzz.yaml", environment: [String: String] = [:],
        defaultModel: String? = nil
    ) -> (file: AgentFile?, problems: [DefinitionError]) {
        AgentLoader(reader: YAMLReader(file: path, environment: environment), defaultModel: defaultModel)
            .load(text, path: path)
    }

    /// Reads the text of `trellis.yaml`.
    ///
    /// - Returns: The configuration of every entry that was read, and the problems in file order.
    package static func workspace(
        _ text: String, path: String = "trellis.yaml", environment: [String: String] = [:],
        providerKinds: [ProviderKind], toolNames: [String], toolSettingKeys: [String: [String]] = [:]
    ) -> (configuration: WorkspaceConfiguration, problems: [DefinitionError]) {
        let loaded = WorkspaceConfigurationLoader(
            reader: YAMLReader(file: path, environment: environment), kinds: providerKinds
        ).load(text, toolNames: toolNames, toolSettingKeys: toolSettingKeys)
        return (loaded.configuration, loaded.problems)
    }

    /// Reads the text of the `plugin.yaml` of `folder`, without checking that its command exists.
    ///
    /// - Throws: ``DefinitionErrors`` listing what is wrong.
    package static func plugin(
        _ text: String, folder: String = "/nonexistent/plugins/fuzz", environment: [String: String] = [:]
    ) throws(DefinitionErrors) -> PluginManifest {
        try PluginManifestLoader(
            reader: YAMLReader(file: folder + "/plugin.yaml", environment: environment), folder: folder,
            checkCommand: false
        ).load(text)
    }
}
