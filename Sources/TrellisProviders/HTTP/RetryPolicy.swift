import Foundation
import TrellisCore

/// When and how long to wait before retrying a failed provider request.
///
/// Retries 408, 409, 429 (not quota), 5xx and connection failures with capped exponential backoff and full
/// jitter. A `Retry-After` (or `retry-after-ms`) between 0 and 60 seconds from the provider wins over the backoff.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// The first backoff step.
    public var baseDelay: Duration
    /// The largest backoff step.
    public var maxDelay: Duration
    /// Waits; tests inject one that records instead of sleeping.
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a policy.
    public init(
        maxRetries: Int = 2,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(8),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
    }

    /// The wait before retry number `attempt` (1-based), or `nil` when the error is final.
    func delay(before attempt: Int, after error: ProviderError) -> Duration? {
        guard error.isRetryable, attempt <= maxRetries else { return nil }
        if let retryAfter = error.retryAfter, retryAfter >= .zero, retryAfter <= .seconds(60) { return retryAfter }
        let factor = 1 << min(attempt - 1, 16)
        // Compared before multiplying, so a huge delay built in code cannot overflow.
        let capped = baseDelay >= maxDelay / factor ? maxDelay : baseDelay * factor
        let milliseconds = max(0, capped.milliseconds)
        return .milliseconds(Int64.random(in: milliseconds / 2...max(milliseconds / 2, milliseconds)))
    }

    /// Runs `operation`, retrying retryable ``ProviderError``s.
    func run<T>(_ operation: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let error as ProviderError {
                attempt += 1
                guard let wait = delay(before: attempt, after: error) else { throw error }
                try await sleep(wait)
            }
        }
    }

    /// A wait from a header value; `nan`, infinities, negatives and absurd values (over a day) are ignored.
    private static func clamped(milliseconds value: Double) -> Duration? {
        guard value.isFinite, value >= 0, value <= 86_400_000 else { return nil }
        return .milliseconds(Int64(value))
    }

    /// Parses `retry-after-ms`, or `retry-after` as seconds or an HTTP date.
    static func retryAfter(milliseconds: String?, header: String?, now: Double) -> Duration? {
        if let milliseconds, let value = Double(milliseconds.trimmingCharacters(in: .whitespaces)),
            let wait = clamped(milliseconds: value)
        {
            return wait
        }
        guard let header = header?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(header) { return clamped(milliseconds: seconds * 1000) }
        if let date = HTTPDate.parse(header) { return clamped(milliseconds: max(0, date - now) * 1000) }
        return nil
    }
}
