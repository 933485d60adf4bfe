import Testing
import TrellisCore
import TrellisTesting

/// Durations built in code, as an embedding app may, convert without trapping: they saturate.
struct DurationConversionTests {
    static let huge: [Duration] = [.seconds(Int64.max), .seconds(Int64.max) * 8, .seconds(2_562_048 * 3600)]

    @Test("nanoseconds and milliseconds saturate at Int64.max; secondsValue stays a number")
    func saturating() {
        for duration in Self.huge {
            #expect(duration.nanoseconds == Int64.max)
            #expect(duration.milliseconds == Int64.max / 1_000_000)
            #expect(duration.secondsValue >= 9.2e9)
        }
        #expect((Duration.zero - .seconds(Int64.max)).nanoseconds == Int64.min)
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.milliseconds(1500).secondsValue == 1.5)
    }

    @Test("checked(seconds:in:) refuses NaN, infinities and values outside the range")
    func checkedSeconds() {
        let range: ClosedRange<Duration> = .milliseconds(1) ... .seconds(60)
        for seconds in [Double.nan, .infinity, -.infinity, 1e10, 0, -1, 0.0001] {
            #expect(Duration.checked(seconds: seconds, in: range) == nil)
        }
        #expect(Duration.checked(seconds: 1.5, in: range) == .milliseconds(1500))
        #expect(Duration.checked(seconds: 60, in: range) == .seconds(60))
    }

    @Test("a run whose limits.timeout was built as .seconds(Int64.max) runs instead of trapping")
    func hugeRunTimeout() async {
        let (result, _) = await runScript(
            [.answer("done")], agent: testAgent(limits: RunLimits(timeout: .seconds(Int64.max))))
        #expect(result.finishReason == .stop)
        #expect(result.output == "done")
    }
}
