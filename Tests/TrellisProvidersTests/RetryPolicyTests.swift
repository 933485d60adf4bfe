import Testing
import TrellisCore

@testable import TrellisProviders

/// `Retry-After` parsing and the retry decision.
@Suite struct RetryPolicyTests {
    /// `Wed, 21 Oct 2015 07:28:00 GMT`.
    let date = 1_445_412_480.0

    @Test(arguments: [("2", Duration.seconds(2)), (" 2 ", .seconds(2)), ("1.5", .milliseconds(1500)), ("0", .zero)])
    func retryAfterSeconds(header: String, expected: Duration) {
        #expect(RetryPolicy.retryAfter(milliseconds: nil, header: header, now: date) == expected)
    }

    @Test func retryAfterMillisecondsWins() {
        #expect(RetryPolicy.retryAfter(milliseconds: "1500", header: "30", now: date) == .milliseconds(1500))
        #expect(RetryPolicy.retryAfter(milliseconds: "250", header: nil, now: date) == .milliseconds(250))
    }

    @Test func unparsableMillisecondsFallBackToRetryAfter() {
        #expect(RetryPolicy.retryAfter(milliseconds: "soon", header: "3", now: date) == .seconds(3))
    }

    @Test func retryAfterHTTPDate() {
        let header = "Wed, 21 Oct 2015 07:28:00 GMT"
        #expect(RetryPolicy.retryAfter(milliseconds: nil, header: header, now: date - 30) == .seconds(30))
        #expect(RetryPolicy.retryAfter(milliseconds: nil, header: header, now: date - 0.5) == .milliseconds(500))
        // A date in the past means "now", never a negative wait.
        #expect(RetryPolicy.retryAfter(milliseconds: nil, header: header, now: date + 100) == .zero)
    }

    @Test(arguments: ["", "tomorrow", "21 Oct 2015"])
    func garbageRetryAfterIsIgnored(header: String) {
        #expect(RetryPolicy.retryAfter(milliseconds: nil, header: header, now: date) == nil)
    }

    @Test func noHeadersNoRetryAfter() {
        #expect(RetryPolicy.retryAfter(milliseconds: nil, header: nil, now: date) == nil)
    }

    // A hostile or buggy server must not be able to crash the client with a header: values that are not finite
    // or do not fit a Duration are ignored. Each runs in a child process so a trap fails only this test.
    @Test func nonFiniteRetryAfterSecondsIsIgnored() async {
        await #expect(processExitsWith: .success) {
            precondition(RetryPolicy.retryAfter(milliseconds: nil, header: "nan", now: 0) == nil)
        }
    }

    @Test func hugeRetryAfterSecondsDoesNotCrash() async {
        await #expect(processExitsWith: .success) {
            let value = RetryPolicy.retryAfter(milliseconds: nil, header: "1e30", now: 0)
            precondition(value == nil || value! > .seconds(60))
        }
    }

    @Test func infiniteRetryAfterMillisecondsIsIgnored() async {
        await #expect(processExitsWith: .success) {
            precondition(RetryPolicy.retryAfter(milliseconds: "inf", header: "2", now: 0) == .seconds(2))
        }
    }

    func rateLimited(after retryAfter: Duration?) -> ProviderError {
        .http(
            provider: "fake", status: 429, message: "slow down", vendorCode: "rate_limit_exceeded", body: "",
            retryAfter: retryAfter)
    }

    @Test func delayHonoursProviderRetryAfterUpToAMinute() {
        let policy = RetryPolicy(maxRetries: 2)
        #expect(policy.delay(before: 1, after: rateLimited(after: .seconds(2))) == .seconds(2))
        #expect(policy.delay(before: 2, after: rateLimited(after: .seconds(60))) == .seconds(60))
        // Longer than a minute: back off normally instead of hanging.
        let backoff = policy.delay(before: 1, after: rateLimited(after: .seconds(3600)))
        #expect(backoff.map { $0 >= .milliseconds(250) && $0 <= .milliseconds(500) } == true)
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(maxRetries: 20, baseDelay: .milliseconds(500), maxDelay: .seconds(8))
        let error = rateLimited(after: nil)
        let second = policy.delay(before: 2, after: error)
        #expect(second.map { $0 >= .milliseconds(500) && $0 <= .seconds(1) } == true)
        let late = policy.delay(before: 15, after: error)
        #expect(late.map { $0 >= .seconds(4) && $0 <= .seconds(8) } == true)
    }

    @Test func finalErrorsAndExhaustedRetriesGetNoDelay() {
        let policy = RetryPolicy(maxRetries: 2)
        let unauthorized = ProviderError.http(
            provider: "fake", status: 401, message: "bad key", vendorCode: nil, body: "")
        let quota = ProviderError.http(
            provider: "fake", status: 429, message: "quota", vendorCode: "insufficient_quota", body: "",
            retryAfter: .seconds(1))
        #expect(policy.delay(before: 1, after: unauthorized) == nil)
        #expect(policy.delay(before: 1, after: quota) == nil)
        #expect(policy.delay(before: 3, after: rateLimited(after: .seconds(1))) == nil)
    }

    @Test func runRetriesRetryableErrorsAndRecordsWaits() async throws {
        let recorder = SleepRecorder()
        let policy = RetryPolicy(maxRetries: 2, sleep: { await recorder.record($0) })
        let attempts = Counter()
        let value = try await policy.run {
            if await attempts.increment() < 3 { throw rateLimited(after: .seconds(1)) }
            return "done"
        }
        #expect(value == "done")
        #expect(await attempts.value == 3)
        #expect(await recorder.sleeps == [.seconds(1), .seconds(1)])
    }

    @Test func runStopsAtTheFirstFinalError() async throws {
        let recorder = SleepRecorder()
        let policy = RetryPolicy(maxRetries: 5, sleep: { await recorder.record($0) })
        let attempts = Counter()
        await #expect(throws: ProviderError.self) {
            _ = try await policy.run { () async throws -> Int in
                await attempts.increment()
                throw ProviderError.http(provider: "fake", status: 400, message: "bad", vendorCode: nil, body: "")
            }
        }
        #expect(await attempts.value == 1)
        #expect(await recorder.sleeps.isEmpty)
    }
}

actor Counter {
    private(set) var value = 0

    @discardableResult
    func increment() -> Int {
        value += 1
        return value
    }
}
