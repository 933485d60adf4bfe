/// A model's request to call one tool.
public struct ToolCall: Sendable, Hashable {
    /// The call's id; adapters synthesise one when the provider sends none.
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them (possibly invalid).
    public var arguments: String

    /// Creates a tool call.
    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// A fresh call id of the form `call_<random hex>`, for providers that send none.
    public static func synthesizedID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt32
        return "call_" + String(high, radix: 16) + String(low, radix: 16)
    }
}

extension ToolCall: Codable {}
