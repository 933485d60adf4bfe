/// Waits for something a test cannot be told about directly (a file appearing, a process ending).
///
/// ```swift
/// #expect(await Poll.until { !isRunning(pid) }, "the server is gone")
/// ```
public enum Poll {
    /// Checks `condition` every `interval` until it holds or `timeout` passes.
    ///
    /// - Returns: Whether the condition held in time.
    public static func until(
        timeout: Duration = .seconds(30), interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: interval)
        }
    }
}
