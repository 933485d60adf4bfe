// One MCP tools/call to a live mcp-server-time: through Trellis versus a bare pipe loop; see docs/benchmarks.md.
import Foundation
import TrellisConfig
import TrellisCore
import TrellisPlugins

/// One mcp call's cost; see docs/benchmarks.md.
enum MCPBenchmark {
    static let arguments: JSONValue = ["timezone": "UTC"]

    static func run(runs: Int) async throws {
        let server = MCPServerSettings(name: "time", command: "mcp-server-time")
        let context = ToolContext(agent: "bench", runID: "run_bench", callID: "call_1")
        let raw = try RawMCPClient(command: "mcp-server-time")
        defer { raw.close() }
        let samples = try await MCPServerPool.withPool([server]) { pool in
            let tools = try await pool.tools(of: "time")
            guard let tool = tools.first(where: { $0.definition.name == "get_current_time" }) else {
                throw BenchFailure("mcp-server-time has no get_current_time")
            }
            for _ in 0..<100 {  // warm-up: Python's first calls, caches
                _ = try await tool.execute(arguments: arguments, context: context)
                try raw.call()
            }
            return try await Interleaved.measure(runs: runs) {
                let output = try await tool.execute(arguments: arguments, context: context)
                guard !output.isError else { throw BenchFailure("get_current_time failed: \(output.content)") }
            } bare: {
                try raw.call()
            }
        }
        print("MCP tools/call get_current_time to mcp-server-time, \(runs) calls each, interleaved")
        samples.report(trellis: "through MCPTool.execute", bare: "bare pipe loop (server's time)")
    }
}

/// The same requests over raw pipes with blocking writes and reads: no Trellis, no concurrency, no JSON parsing.
final class RawMCPClient {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []
    private var nextID = 1

    init(command: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        send(
            #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#
        )
        _ = try readLine()
        send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
    }

    /// One `tools/call` of get_current_time, waiting for its answer line.
    func call() throws {
        nextID += 1
        send(
            #"{"jsonrpc":"2.0","id":\#(nextID),"method":"tools/call","params":{"name":"get_current_time","arguments":{"timezone":"UTC"}}}"#
        )
        let line = try readLine()
        guard line.contains(#""id":\#(nextID)"#) || line.contains(#""id": \#(nextID)"#) else {
            throw BenchFailure("unexpected answer: \(line.prefix(200))")
        }
    }

    private func send(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        bytes.withUnsafeMutableBytes { pointer in
            var offset = 0
            while offset < pointer.count {
                let written = write(
                    input.fileHandleForWriting.fileDescriptor, pointer.baseAddress! + offset, pointer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    private func readLine() throws -> String {
        let descriptor = output.fileHandleForReading.fileDescriptor
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw BenchFailure("mcp-server-time closed its stdout") }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
