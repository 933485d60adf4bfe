/// Makes a tool from its workspace settings.
public struct ToolFactory: Sendable {
    /// The tool's name, as agents list it.
    public var name: String
    /// One line about the tool, for `trellis tools`.
    public var summary: String
    /// The keys its `tools.<name>` block in `trellis.yaml` may hold (empty: none), or `nil` to take any keys.
    ///
    /// Declared keys let `trellis validate` check every settings block, also of tools no agent uses, and point at
    /// a misspelt key with a did-you-mean hint.
    public var settingKeys: [String]?
    /// Builds the tool; ``build(_:)`` checks the keys first.
    public var make: @Sendable (ToolSetup) throws -> any ToolExecutor

    /// Creates a factory.
    ///
    /// - Parameters:
    ///   - name: The tool's name.
    ///   - summary: One line about the tool.
    ///   - settingKeys: The setting keys the tool takes, or `nil` to take any.
    ///   - make: Builds the tool from its settings; throw ``ToolSetupError`` naming the bad setting.
    public init(
        name: String, summary: String, settingKeys: [String]? = nil,
        make: @escaping @Sendable (ToolSetup) throws -> any ToolExecutor
    ) {
        self.name = name
        self.summary = summary
        self.settingKeys = settingKeys
        self.make = make
    }

    /// Builds the tool from its settings, refusing a key not in ``settingKeys``.
    ///
    /// - Throws: ``ToolSetupError`` naming the unknown key, or what ``make`` throws.
    public func build(_ setup: ToolSetup) throws -> any ToolExecutor {
        if let settingKeys {
            for key in setup.settings.keys where !settingKeys.contains(key) {
                let allowed = settingKeys.isEmpty ? "none" : settingKeys.joined(separator: ", ")
                throw ToolSetupError("unknown setting '\(key)' for tool '\(name)'; allowed: \(allowed)")
            }
        }
        return try make(setup)
    }
}

/// What a tool factory gets: the tool's settings block from `trellis.yaml` and the workspace root.
public struct ToolSetup: Sendable {
    /// The `tools.<name>` block of `trellis.yaml`, or an empty object.
    public var settings: JSONObject
    /// The workspace's root directory.
    public var workspaceRoot: String

    /// Creates a setup.
    public init(settings: JSONObject = JSONObject(), workspaceRoot: String) {
        self.settings = settings
        self.workspaceRoot = workspaceRoot
    }
}

/// A bad tool setting.
public struct ToolSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the setting.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The tools a runtime knows by name: the built-ins plus whatever an embedding program registers.
///
/// ```swift
/// var registry = ToolRegistry()
/// BuiltinTools.register(in: &registry)
/// registry.register(ToolFactory(name: "word_count", summary: "Counts words") { _ in WordCount() })
/// ```
public struct ToolRegistry: Sendable {
    private var factories: [String: ToolFactory] = [:]

    /// Creates an empty registry.
    public init() {}

    /// Adds a factory; a later registration under the same name replaces the earlier one.
    public mutating func register(_ factory: ToolFactory) { factories[factory.name] = factory }

    /// The registered names, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// The setting keys of each tool that declares them, by tool name.
    public var settingKeys: [String: [String]] { factories.compactMapValues(\.settingKeys) }

    /// The factory for a name.
    public subscript(name: String) -> ToolFactory? { factories[name] }
}
