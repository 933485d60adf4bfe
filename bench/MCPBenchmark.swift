/// One mcp call's cost; see docs/benchmarks.md.
enum MCPBenchmark {
    static func run(runs: Int) async throws {
        print("the mcp benchmark is being written (issue 4)")
    }
}
