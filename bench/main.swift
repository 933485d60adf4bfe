// Benchmarks of the runtime's own overhead; docs/benchmarks.md has the method and the figures.
//
//   swift run -c release trellis-bench [turn|plugin|mcp|pattern|route|session|serve] [--runs N]
//   swift run -c release trellis-bench serve --postgres [--workers N] [--runs N]
//
// turn (default): overhead per model turn, over loopback HTTP and in memory.
// client --base-url URL [--turns T] [--parallel P] [--runs N]: Trellis as one client of bench/peers (run that).
// plugin: one executable plugin call (spawn, JSON request, JSON reply, exit).
// mcp: one MCP tools/call to a live stdio server, beyond the server's own time.
// pattern: one JSON Schema `pattern` check, SchemaPattern beside Swift Regex.
// route: one routing decision, keyword and cached embedding (10 routes × 20 examples, 1,024 dimensions).
// session: committing one step to the SQLite store, and resuming a 100-turn session from disk.
// serve: N concurrent runs of 3 turns through trellis serve's runs API (SQLite), a 100 ms fake provider;
//   --postgres: on a PostgreSQL server it starts (Debian's postgresql), an API node and --workers workers.
import Foundation

let arguments = CommandLine.arguments
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) }
let suite = arguments.dropFirst().first { !$0.hasPrefix("-") && Int($0) == nil } ?? "turn"
switch suite {
case "turn": try await TurnBenchmark.run(runs: runs ?? 500)
case "client": try await ClientBenchmark.run(arguments: Array(arguments.dropFirst(2)))
case "plugin": try await PluginBenchmark.run(runs: runs ?? 1000)
case "mcp": try await MCPBenchmark.run(runs: runs ?? 1000)
case "pattern": try PatternBenchmark.run(runs: runs ?? 1000)
case "route": try await RouteBenchmark.run(runs: runs ?? 10000)
case "session": try await SessionBenchmark.run(runs: runs ?? 1000)
case "serve":
    let workers = arguments.firstIndex(of: "--workers").flatMap { Int(arguments[$0 + 1]) } ?? 1
    try await ServeBenchmark.run(
        runs: runs ?? 1000, store: arguments.contains("--postgres") ? .postgres(workers: workers) : .sqlite)
default:
    FileHandle.standardError.write(
        Data("unknown suite '\(suite)'; use turn, client, plugin, mcp, pattern, route, session or serve\n".utf8))
    exit(2)
}
