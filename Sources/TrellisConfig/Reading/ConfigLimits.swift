import TrellisCore

/// The ranges every number and duration in `trellis.yaml`, agent files and `plugin.yaml` must fall in, and the
/// bounds on the files themselves. A value outside is a `file:line:column` error naming the range, so no setting
/// can reach a conversion that traps (an `Int64` of nanoseconds holds about 292 years).
public enum ConfigLimits {
    /// A network or process timeout: a provider request, an MCP server's start or call, a plugin call, the local
    /// model server's start.
    public static let timeout: ClosedRange<Duration> = .milliseconds(1) ... .seconds(24 * 3600)
    /// `limits.timeout`, a whole run's wall time.
    public static let runTimeout: ClosedRange<Duration> = .milliseconds(1) ... .seconds(7 * 24 * 3600)
    /// `limits.max_turns`.
    public static let maxTurns: ClosedRange<Int> = 1...10_000
    /// `limits.max_tool_calls`.
    public static let maxToolCalls: ClosedRange<Int> = 0...100_000
    /// `limits.max_tool_calls_per_turn`, calls run from one model reply.
    public static let maxToolCallsPerTurn: ClosedRange<Int> = 1...10_000
    /// `routes.threshold` and a classifier's own `threshold`: a confidence.
    public static let routeThreshold: ClosedRange<Double> = 0...1
    /// `limits.max_repeated_calls`.
    public static let maxRepeatedCalls: ClosedRange<Int> = 2...10_000
    /// `limits.max_tokens`, tokens over a whole run.
    public static let runTokens: ClosedRange<Int> = 1...1_000_000_000
    /// `limits.max_cost`, in the pricing's currency.
    public static let maxCost: ClosedRange<Double> = 0...1_000_000
    /// `model.max_tokens`, tokens in one reply.
    public static let replyTokens: ClosedRange<Int> = 1...10_000_000
    /// `model.n`, choices per request.
    public static let choices: ClosedRange<Int> = 1...128
    /// A provider's `max_retries`.
    public static let retries: ClosedRange<Int> = 0...100
    /// A provider setting of type integer (`context_size`, `num_ctx`).
    public static let providerInteger: ClosedRange<Int> = 0...Int(Int32.max)
    /// A byte cap: `max_output_bytes` in `plugin.yaml`, `max_bytes` of `http_get` and `read_file`.
    public static let byteCap: ClosedRange<Int> = 1...(1 << 30)

    /// The largest file the loader parses: `trellis.yaml`, an agent file or a `plugin.yaml` (1 MiB).
    public static let maxFileBytes = 1 << 20
    /// The deepest nesting of mappings and lists in a file.
    public static let maxNestingDepth = 64
    /// The most nodes (scalars, lists, mappings) a file may hold with its aliases expanded; a normal agent file
    /// has a few hundred, a "billion laughs" file billions.
    public static let maxNodes = 100_000

    /// A range as the errors say it: `1ms to 24h`.
    static func text(_ range: ClosedRange<Duration>) -> String {
        "\(text(range.lowerBound)) to \(text(range.upperBound))"
    }

    /// A duration as a file would write it: `500ms`, `30s`, `2m`, `24h`.
    static func text(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        let seconds = milliseconds / 1000
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
