// JSON Schema `pattern` checks: SchemaPattern (linear time) beside Swift Regex (backtracking); see
// docs/benchmarks.md.
import Foundation
import TrellisCore

/// The time of one `pattern` check, for the patterns tool schemas use and for the nested quantifiers that made
/// a backtracking engine run for minutes.
enum PatternBenchmark {
    struct Case {
        let pattern: String
        let text: String
        let label: String
        /// Swift Regex is timed too (not on the texts it would take minutes on).
        let withRegex: Bool
    }

    static let cases: [Case] = [
        Case(pattern: "^[A-Za-z0-9_-]{1,64}$", text: "my-tool_1", label: "tool name, 9 chars", withRegex: true),
        Case(
            pattern: "^https?://[a-z0-9.-]+(/.*)?$", text: "https://example.com/a/b?c=d", label: "URL, 27 chars",
            withRegex: true),
        Case(
            pattern: "^\\d{4}-\\d{2}-\\d{2}$", text: String(repeating: "2026-12-01 ", count: 100),
            label: "date, 1,100 chars (no match)", withRegex: true),
        Case(
            pattern: "(a+)+$", text: String(repeating: "a", count: 16) + "!", label: "(a+)+$, 17 chars", withRegex: true
        ),
        Case(
            pattern: "(a+)+$", text: String(repeating: "a", count: 30) + "!", label: "(a+)+$, 31 chars",
            withRegex: false),
        Case(
            pattern: "(a+)+$", text: String(repeating: "a", count: 100_000) + "!", label: "(a+)+$, 100,001 chars",
            withRegex: false),
    ]

    static func run(runs: Int) throws {
        print("one pattern check as the validator makes it (compile, then search anywhere); median of \(runs), in µs")
        print("| case | SchemaPattern | Swift Regex |")
        print("|---|---|---|")
        for item in cases {
            let count = item.text.count > 10_000 ? max(runs / 100, 5) : runs
            let ours = try median(count) {
                guard try SchemaPattern(item.pattern).matches(item.text) != nil else {
                    throw BenchFailure("\(item.label): undecided")
                }
            }
            var theirs = "not run (minutes)"
            if item.withRegex {
                let regex = try Regex(item.pattern)
                let time = try median(item.pattern == "(a+)+$" ? 3 : count) { _ = try regex.firstMatch(in: item.text) }
                theirs = String(format: "%.1f", time)
            }
            print("| \(item.label) | \(String(format: "%.1f", ours)) | \(theirs) |")
        }
    }

    /// The median time of `body` in microseconds.
    private static func median(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try body()
            samples.append((ContinuousClock.now - start).secondsValue * 1e6)
        }
        return samples.sorted()[samples.count / 2]
    }
}
