import Foundation
import Testing
import TrellisCore
import TrellisPlugins

/// The MCP client against the fixture server: handshake, pagination, content and error mapping, requests from the
/// server.
@Suite(.serialized)
struct MCPProtocolTests {
    @Test("tools/list pages are followed and schemas become parameters")
    func pagination() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture("paged", ["--page-size", "3"])]) { pool in
            let tools = try await pool.tools(of: "paged")
            #expect(
                tools.map(\.definition.name) == [
                    "echo", "pid", "crash", "fail", "rpc_error", "ping_me", "sleep", "mixed", "structured",
                    "cancellations", "flood", "environment", "deaf", "endless",
                ])
            let echo = try #require(tools.first)
            #expect(echo.server == "paged")
            #expect(echo.remoteName == "echo")
            #expect(echo.definition.description == "Returns its text")
            #expect(
                echo.definition.parameters
                    == ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]])
        }
    }

    @Test("an older protocol version answered by the server is accepted and recorded")
    func olderProtocol() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture("old", ["--protocol", "2024-11-05"])]) { pool in
            let info = try await pool.info(of: "old")
            #expect(info.protocolVersion == "2024-11-05")
            #expect(info.serverName == "fixture")
            #expect(info.serverVersion == "1.0")
            #expect(try await pool.call("echo", of: "old", #"{"text":"still works"}"#) == ToolOutput("still works"))
        }
    }

    @Test("the version asked for is 2025-11-25")
    func currentProtocol() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let info = try await pool.info(of: "fixture")
            #expect(info.protocolVersion == "2025-11-25")
        }
    }

    @Test("an isError result becomes an error result naming server and tool")
    func isErrorResult() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let output = try await pool.call("fail", of: "fixture")
            #expect(output == .error("MCP server 'fixture', tool 'fail': disk full"))
        }
    }

    @Test("a JSON-RPC error becomes an error result with code, message and data")
    func rpcError() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let output = try await pool.call("rpc_error", of: "fixture")
            #expect(
                output
                    == .error(
                        #"MCP server 'fixture', tool 'rpc_error': error -32000: backend down (data: {"retry":false})"#))
        }
    }

    @Test("text parts are joined and other content is described")
    func mixedContent() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let output = try await pool.call("mixed", of: "fixture")
            #expect(
                output
                    == ToolOutput(
                        "first\n[image: image/png, 16 bytes]\n[resource link: file:///tmp/report.txt (report)]\nlast"))
        }
    }

    @Test("structuredContent is the result when there is no text")
    func structuredContent() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let output = try await pool.call("structured", of: "fixture")
            #expect(output == ToolOutput(#"{"celsius":21.5,"city":"Kazan"}"#))
        }
    }

    @Test("ping from the server mid-call gets {}, other requests get method not found, notifications are ignored")
    func serverRequests() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let output = try await pool.call("ping_me", of: "fixture")
            #expect(
                output
                    == ToolOutput(#"ping: {}; roots/list: {"code": -32601, "message": "Method not found: roots/list"}"#)
            )
        }
    }

    @Test("a call with no answer in time is an error result, and the server is told it is cancelled")
    func callTimeout() async throws {
        let server = await MCPTestSupport.fixture(callTimeout: .milliseconds(300))
        try await MCPServerPool.withPool([server]) { pool in
            let output = try await pool.call("sleep", of: "fixture", #"{"seconds": 5}"#)
            #expect(output == .error("MCP server 'fixture', tool 'sleep': no answer within 0.3 s"))
            let cancellations = try await pool.call("cancellations", of: "fixture")
            #expect(cancellations.content.contains(#""reason": "no answer within 0.3 s""#), "\(cancellations.content)")
        }
    }

    @Test("calls sent while the server is not reading wait in order and all arrive whole, 512 KB ones too")
    func serverNotReading() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            #expect(try await pool.call("deaf", of: "fixture", #"{"seconds": 1.5}"#) == ToolOutput("deaf"))
            let big = String(repeating: "0123456789abcdef", count: 32 * 1024)
            try await withThrowingTaskGroup(of: (Int, ToolOutput).self) { group in
                for index in 0..<4 {
                    let text = index.isMultiple(of: 2) ? "\(index)" + big : "small \(index)"
                    group.addTask {
                        (
                            index,
                            try await pool.call(
                                "echo", of: "fixture", JSONValue.object(["text": .string(text)]).serialized())
                        )
                    }
                }
                for try await (index, output) in group {
                    let expected = index.isMultiple(of: 2) ? "\(index)" + big : "small \(index)"
                    // Compared outside #expect, which would print both 512 KB texts.
                    let whole = !output.isError && output.content == expected
                    #expect(whole, "call \(index): \(output.content.prefix(80))")
                }
            }
        }
    }

    @Test("a line longer than 64 MiB fails the call and stops the server, and what it wrote after is read safely")
    func overlongLine() async throws {
        // 64 MiB through a pipe on a loaded machine can take longer than the default 30 s call timeout.
        try await MCPServerPool.withPool([MCPTestSupport.fixture(callTimeout: .seconds(300))]) { pool in
            let output = try await pool.call("endless", of: "fixture")
            #expect(output.isError)
            #expect(
                output.content.contains("the server wrote a line longer than 64 MiB"), "\(output.content.prefix(300))")
        }
    }

    @Test("a cancelled call throws CancellationError, and the server is told")
    func cancelledCall() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let sleep = try await pool.tool("sleep", of: "fixture")
            let call = Task { try await sleep.execute(arguments: ["seconds": 5], context: testContext) }
            try await Task.sleep(for: .milliseconds(200))
            call.cancel()
            await #expect(throws: CancellationError.self) { try await call.value }
            let cancellations = try await pool.call("cancellations", of: "fixture")
            #expect(
                cancellations.content.contains(#""reason": "the caller was cancelled""#), "\(cancellations.content)")
        }
    }

    @Test("an unknown server is an error naming the configured ones")
    func unknownServer() async throws {
        try await MCPServerPool.withPool([MCPTestSupport.fixture()]) { pool in
            let text = await errorText { try await pool.tools(of: "weather") }
            #expect(text == "MCP server 'weather': not configured; configured servers: fixture")
        }
    }
}
