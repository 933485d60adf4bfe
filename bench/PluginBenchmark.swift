/// One plugin call's cost; see docs/benchmarks.md.
enum PluginBenchmark {
    static func run(runs: Int) async throws {
        print("the plugin benchmark is being written (issue 4)")
    }
}
