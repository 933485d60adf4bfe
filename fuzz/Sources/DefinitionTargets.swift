import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// The YAML definition loaders: agent files, `trellis.yaml` and `plugin.yaml`.
///
/// Invariants: the loader returns what it read or problems, never traps, and stays within libFuzzer's
/// `-timeout`; every problem has a message and a place inside the text (a line no later than the text's last,
/// 0 for the whole file); problems come in file order; loading is deterministic; a file without problems gives a
/// usable result (an agent with a model, a plugin whose tools have valid names).
enum DefinitionTargets {
    /// Variables for `${VAR}` interpolation, so the substitution paths are reached.
    static let environment = ["HOME": "/home/fuzz", "OPENAI_API_KEY": "sk-fuzz", "EMPTY": ""]

    static let agent = FuzzTarget(
        name: "agent", summary: "agent file loader: an agent or problems at line:column, in file order"
    ) { bytes throws(InvariantFailure) in
        let text = String(decoding: bytes, as: UTF8.self)
        let load = {
            DefinitionParsing.agent(
                text, path: "/nonexistent/agents/fuzz.yaml", environment: environment, defaultModel: nil)
        }
        let (file, problems) = load()
        try checkProblems(problems, in: text, file: "/nonexistent/agents/fuzz.yaml")
        let again = load().problems
        try require(again == problems, "loading the agent twice gave different problems: \(problems), then \(again)")
        try require(file != nil || !problems.isEmpty, "no agent and no problem")
        if let file, problems.isEmpty {
            let model = file.definition.model
            try require(
                !model.provider.isEmpty && !model.name.isEmpty, "an agent without problems has no model: \(model)")
            try require(!file.definition.name.isEmpty, "an agent without problems has no name")
        }
    }

    static let workspace = FuzzTarget(
        name: "workspace", summary: "trellis.yaml loader: a configuration and problems at line:column, in file order"
    ) { bytes throws(InvariantFailure) in
        let text = String(decoding: bytes, as: UTF8.self)
        let registry = BuiltinTools.registry
        let load = {
            DefinitionParsing.workspace(
                text, path: "/nonexistent/trellis.yaml", environment: environment,
                providerKinds: ProviderFactory.kinds, toolNames: registry.names, toolSettingKeys: registry.settingKeys)
        }
        let (configuration, problems) = load()
        try checkProblems(problems, in: text, file: "/nonexistent/trellis.yaml")
        let again = load().problems
        try require(
            again == problems, "loading trellis.yaml twice gave different problems: \(problems), then \(again)")
        for (name, provider) in configuration.providers {
            try require(!name.isEmpty, "a provider entry with an empty name: \(provider)")
        }
    }

    static let plugin = FuzzTarget(
        name: "plugin", summary: "plugin.yaml loader: a manifest or problems at line:column, in file order"
    ) { bytes throws(InvariantFailure) in
        let text = String(decoding: bytes, as: UTF8.self)
        let folder = "/nonexistent/plugins/fuzz"
        let load = { () -> Result<PluginManifest, DefinitionErrors> in
            do throws(DefinitionErrors) {
                return .success(try DefinitionParsing.plugin(text, folder: folder, environment: environment))
            } catch {
                return .failure(error)
            }
        }
        switch load() {
        case .success(let manifest):
            try require(!manifest.command.isEmpty, "a manifest without problems has no command")
            for tool in manifest.tools {
                try require(
                    PluginManifest.isValidToolName(tool.name), "a manifest without problems has tool '\(tool.name)'")
            }
            try require(manifest.timeout > .zero, "a manifest without problems has timeout \(manifest.timeout)")
            try require(
                manifest.maxOutputBytes > 0, "a manifest without problems has max output \(manifest.maxOutputBytes)")
            guard case .success(let again) = load(), again == manifest else {
                throw InvariantFailure("loading plugin.yaml twice gave different results")
            }
        case .failure(let errors):
            try require(!errors.errors.isEmpty, "a plugin.yaml failure without any problem")
            try checkProblems(errors.errors, in: text, file: folder + "/plugin.yaml")
            let again = load()
            guard case .failure(let againErrors) = again, againErrors.errors == errors.errors else {
                throw InvariantFailure("loading plugin.yaml twice gave different results: \(errors), then \(again)")
            }
        }
    }

    /// Every problem has a message, names the file, and has a place inside the text; problems are in file order.
    static func checkProblems(_ problems: [DefinitionError], in text: String, file: String) throws(InvariantFailure) {
        // libyaml breaks lines at \n, \r, \r\n, NEL, LS and PS; counting each scalar over-counts \r\n, which
        // only loosens the bound.
        let breaks = text.unicodeScalars.filter { ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) }.count
        for problem in problems {
            try require(!problem.message.isEmpty, "a problem without a message: \(problem)")
            try require(problem.file == file, "a problem names file '\(problem.file)', not '\(file)'")
            try require(
                problem.line >= 0 && problem.column >= 0 && problem.line <= breaks + 2,
                "a problem's place is outside the text (\(breaks + 1) lines): \(problem)")
            try require(problem.line > 0 || problem.column == 0, "a problem with a column but no line: \(problem)")
        }
        let places = problems.map { [$0.line, $0.column] }
        try require(
            places == places.sorted { $0.lexicographicallyPrecedes($1) }, "problems are not in file order: \(problems)")
    }
}
