import Foundation

/// Timings of a path through Trellis and of a bare baseline doing the same work, taken in alternating blocks of
/// 50 so that drift in machine load hits both alike.
struct Interleaved {
    var trellis: [Duration] = []
    var bare: [Duration] = []

    /// Runs `trellis` and `bare` `runs` times each, interleaved.
    static func measure(
        runs: Int, trellis: () async throws -> Void, bare: () throws -> Void
    ) async throws -> Interleaved {
        let clock = ContinuousClock()
        var samples = Interleaved()
        for block in 0..<((runs + 49) / 50) {
            for _ in 0..<min(50, runs - block * 50) {
                let start = clock.now
                try await trellis()
                samples.trellis.append(clock.now - start)
                let bareStart = clock.now
                try bare()
                samples.bare.append(clock.now - bareStart)
            }
        }
        return samples
    }

    /// Prints p50, p90 and p99 of both and their difference, the baseline's being the cost anyone pays.
    func report(trellis trellisLabel: String, bare bareLabel: String) {
        let width = max(trellisLabel.count, bareLabel.count, "Trellis adds".count) + 1
        let t = Self.percentiles(trellis)
        let b = Self.percentiles(bare)
        for (label, values) in [(trellisLabel, t), (bareLabel, b), ("Trellis adds", zip(t, b).map { $0 - $1 })] {
            let padded = (label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0)
            print(padded + String(format: " p50 %.3f ms  p90 %.3f ms  p99 %.3f ms", values[0], values[1], values[2]))
        }
    }

    /// p50, p90 and p99 in milliseconds.
    static func percentiles(_ samples: [Duration]) -> [Double] {
        let sorted = samples.map(milliseconds).sorted()
        return [50, 90, 99].map { sorted[min(sorted.count - 1, sorted.count * $0 / 100)] }
    }
}

/// A benchmark that cannot go on, with the reason.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
