/// Why an agent of a workspace cannot be set up: its model, its tools or its router.
///
/// The message names the place (the agent, the provider, the file and line of a tool entry); the code is the
/// stable one a command's `--json` output and a run's error carry.
public struct WorkspaceSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable code of a setup failure.
    public enum Code: String, Sendable, Hashable {
        /// An agent file, `trellis.yaml` or a plugin manifest has a problem.
        case invalidDefinition = "invalid_definition"
        /// No agent of that name in the workspace.
        case unknownAgent = "unknown_agent"
        /// The agent names a provider the workspace does not configure.
        case unknownProvider = "unknown_provider"
        /// The provider needs an API key and none is set.
        case missingAPIKey = "missing_api_key"
        /// A `local` model, or the server that runs it, is not installed.
        case modelNotInstalled = "model_not_installed"
    }

    /// What is wrong, with its place.
    public var message: String
    /// The stable code.
    public var code: Code

    /// Creates an error.
    public init(_ message: String, code: Code = .invalidDefinition) {
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
