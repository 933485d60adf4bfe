/// What a model costs per million tokens, from the `pricing:` table of a provider in `trellis.yaml`.
public struct ModelPricing: Sendable, Hashable {
    /// Price of one million input (prompt) tokens.
    public var inputPerMillion: Double
    /// Price of one million output tokens, reasoning included.
    public var outputPerMillion: Double

    /// Creates a price.
    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The cost of a usage figure at this price.
    public func cost(of usage: Usage) -> Double {
        (Double(usage.inputTokens) * inputPerMillion + Double(usage.outputTokens) * outputPerMillion) / 1_000_000
    }
}
