/// Tokens (and, when known, money) spent, normalised across providers.
public struct Usage: Sendable, Hashable {
    /// Prompt tokens.
    public var inputTokens: Int
    /// Completion tokens, reasoning included.
    public var outputTokens: Int
    /// Reasoning tokens, when the provider reports them.
    public var reasoningTokens: Int?
    /// Cost in the provider's billing currency, when known.
    public var cost: Double?

    /// Creates a usage figure.
    public init(inputTokens: Int = 0, outputTokens: Int = 0, reasoningTokens: Int? = nil, cost: Double? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.cost = cost
    }

    /// Input plus output tokens.
    public var totalTokens: Int { inputTokens + outputTokens }

    /// The sum of two figures; a cost is kept if either side knows one.
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            reasoningTokens: sum(lhs.reasoningTokens, rhs.reasoningTokens),
            cost: sum(lhs.cost, rhs.cost)
        )
    }

    /// Adds another figure to this one.
    public static func += (lhs: inout Usage, rhs: Usage) { lhs = lhs + rhs }

    private static func sum<T: AdditiveArithmetic>(_ lhs: T?, _ rhs: T?) -> T? {
        switch (lhs, rhs) {
        case (nil, nil): return nil
        default: return (lhs ?? .zero) + (rhs ?? .zero)
        }
    }
}

extension Usage {
    /// A cost for people: up to six decimals, no trailing zeros (`0.0012`).
    public static func costText(_ value: Double) -> String {
        // Past 1e12 (or not a number) the cents no longer matter, and Int(_:) would trap.
        guard value.isFinite, abs(value) < 1e12 else { return String(value) }
        let micros = Int((value * 1_000_000).rounded())
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(micros / 1_000_000)" + (fraction.isEmpty ? "" : "." + fraction)
    }
}

extension Usage: Codable {
    private enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case reasoningTokens = "reasoning_tokens"
        case cost
    }
}
