/// A plugin whose tools cannot be had: its `--describe` run failed or answered something unusable.
///
/// Failures of single calls are not thrown: they are error results the model reads.
public struct ExecutablePluginError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The plugin's name.
    public var plugin: String
    /// What went wrong, with the stderr tail of the process when there was one.
    public var message: String

    /// Creates an error.
    public init(plugin: String, message: String) {
        self.plugin = plugin
        self.message = message
    }

    public var description: String { "plugin '\(plugin)': \(message)" }
}
