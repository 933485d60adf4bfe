// Benchmarks of the runtime's own overhead; docs/benchmarks.md has the method and the figures.
//
//   swift run -c release trellis-bench [turn|plugin|mcp|pattern] [--runs N]
//
// turn (default): overhead per model turn, over loopback HTTP and in memory.
// plugin: one executable plugin call (spawn, JSON request, JSON reply, exit).
// mcp: one MCP tools/call to a live stdio server, beyond the server's own time.
// pattern: one JSON Schema `pattern` check, SchemaPattern beside Swift Regex.
import Foundation

let arguments = CommandLine.arguments
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) }
let suite = arguments.dropFirst().first { !$0.hasPrefix("-") && Int($0) == nil } ?? "turn"
switch suite {
case "turn": try await TurnBenchmark.run(runs: runs ?? 500)
case "plugin": try await PluginBenchmark.run(runs: runs ?? 1000)
case "mcp": try await MCPBenchmark.run(runs: runs ?? 1000)
case "pattern": try PatternBenchmark.run(runs: runs ?? 1000)
default:
    FileHandle.standardError.write(Data("unknown suite '\(suite)'; use turn, plugin, mcp or pattern\n".utf8))
    exit(2)
}
