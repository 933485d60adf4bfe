extension Duration {
    /// The largest duration the conversions below keep exactly: about 292 years, the most nanoseconds an `Int64`
    /// holds. Longer durations (possible when built in code, `.seconds(Int64.max)`) saturate instead of trapping.
    public static let largestConvertible: Duration = .nanoseconds(Int64.max)

    /// The duration, at most ``largestConvertible``: what clocks and timers take (a deadline past `Int64.max`
    /// seconds traps). Timeouts that may have been built in code pass through it.
    public var capped: Duration { min(self, .largestConvertible) }

    /// The duration in whole nanoseconds, as NIO's `TimeAmount` wants it; saturates at `Int64.max` (`Int64.min`).
    public var nanoseconds: Int64 {
        if self >= .largestConvertible { return .max }
        if self <= .zero - .largestConvertible { return .min }
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration in whole milliseconds, rounded toward zero; saturates like ``nanoseconds``.
    public var milliseconds: Int64 {
        if self >= .largestConvertible { return Int64.max / 1_000_000 }
        if self <= .zero - .largestConvertible { return Int64.min / 1_000_000 }
        return nanoseconds / 1_000_000
    }

    /// The duration in seconds, as a number (never traps: `components` would for more than `Int64.max` seconds).
    public var secondsValue: Double {
        guard self < .largestConvertible, self > .zero - .largestConvertible else { return self / .seconds(1) }
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in seconds, as a short decimal string (`1.5`).
    var seconds: String {
        let value = secondsValue
        return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A duration of `seconds`, or `nil` when it is not a finite number inside `range` (so no conversion traps).
    public static func checked(seconds: Double, in range: ClosedRange<Duration>) -> Duration? {
        guard seconds.isFinite, seconds >= range.lowerBound.secondsValue, seconds <= range.upperBound.secondsValue
        else { return nil }
        let value = Duration.milliseconds(Int64((seconds * 1000).rounded()))
        return min(max(value, range.lowerBound), range.upperBound)
    }
}
