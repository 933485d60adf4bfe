// The runtime's overhead per model turn; see docs/benchmarks.md.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TrellisCore
import TrellisProviders
import TrellisTesting

struct Echo: ToolExecutor {
    let definition = ToolDefinition(
        name: "echo", description: "Echoes its input",
        parameters: ["type": "object", "properties": ["n": ["type": "integer"]], "required": ["n"]])

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        ToolOutput(arguments.serialized())
    }
}

func callReply(_ n: Int) -> String {
    #"{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_\#(n)","type":"function","function":{"name":"echo","arguments":"{\"n\":\#(n)}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25}}"#
}
let answerReply =
    #"{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"done"},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":1,"total_tokens":31}}"#

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

enum OpenAIRequestBodies {
    static let tools =
        #""tools":[{"type":"function","function":{"name":"echo","description":"Echoes its input","parameters":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}}}]"#
    static let first = #"{"model":"m","messages":[{"role":"user","content":"go"}],"# + tools + "}"
    static let second =
        #"{"model":"m","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"echo","arguments":"{\"n\":1}"}}]},{"role":"tool","tool_call_id":"call_1","content":"{\"n\":1}"}],"#
        + tools + "}"
    static let third =
        #"{"model":"m","messages":[{"role":"user","content":"go"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"echo","arguments":"{\"n\":1}"}}]},{"role":"tool","tool_call_id":"call_1","content":"{\"n\":1}"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"function","function":{"name":"echo","arguments":"{\"n\":2}"}}]},{"role":"tool","tool_call_id":"call_2","content":"{\"n\":2}"}],"#
        + tools + "}"
}

/// The runtime's own overhead per model turn (over loopback HTTP and in memory).
enum TurnBenchmark {
    static func run(runs: Int) async throws {
        let turnsPerRun = 3
        let agent = AgentDefinition(name: "bench", model: ModelReference(provider: "mock", name: "m"), tools: [])

        let mockTime = Mutex<Duration>(.zero)
        let httpOverhead = try await FakeVendorServer.withServer { server in
            let replies = [callReply(1), callReply(2), answerReply]
            server.respond { request in
                let start = ContinuousClock.now
                var toolMessages = 0
                var rest = Substring(request.body)
                while let range = rest.firstRange(of: #""role":"tool""#) {
                    toolMessages += 1
                    rest = rest[range.upperBound...]
                }
                let response = FakeResponse.json(replies[min(toolMessages, 2)])
                let elapsed = ContinuousClock.now - start
                mockTime.withLock { $0 += elapsed }
                return response
            }
            let provider = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(
                    name: "mock", kind: "openai", baseURL: server.baseURL, maxRetries: 0))
            let runner = AgentRunner(provider: provider, tools: [Echo()])
            for _ in 0..<50 { _ = await runner.run(agent, input: "go") }  // warm-up: connections, caches
            mockTime.withLock { $0 = .zero }
            let clock = ContinuousClock()
            let wall = try await clock.measure {
                for _ in 0..<runs {
                    let result = await runner.run(agent, input: "go")
                    guard result.finishReason == .stop, result.turns == turnsPerRun else {
                        throw CocoaError(
                            .coderInvalidValue, userInfo: [NSDebugDescriptionErrorKey: "unexpected \(result)"])
                    }
                }
            }
            let mock = mockTime.withLock { $0 }

            // Baseline: the same three requests per run, sent with a bare HTTP client and read whole, no runtime.
            let bodies = [
                OpenAIRequestBodies.first, OpenAIRequestBodies.second, OpenAIRequestBodies.third,
            ]
            let url = server.baseURL + "/chat/completions"
            func rawTurn(_ body: String) async throws {
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.trellis.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            for _ in 0..<50 { for body in bodies { try await rawTurn(body) } }
            mockTime.withLock { $0 = .zero }
            let raw = try await clock.measure {
                for _ in 0..<runs { for body in bodies { try await rawTurn(body) } }
            }
            let rawMock = mockTime.withLock { $0 }
            return (wall: wall, mock: mock, raw: raw, rawMock: rawMock)
        }

        let scriptedRunner = { () -> AgentRunner in
            let steps: [ScriptedModelProvider.Step] = (0..<runs).flatMap { _ in
                [.call("echo", #"{"n":1}"#), .call("echo", #"{"n":2}"#), .answer("done")]
            }
            return AgentRunner(provider: ScriptedModelProvider(steps), tools: [Echo()])
        }()
        let loopOnly = await ContinuousClock().measure {
            for _ in 0..<runs { _ = await scriptedRunner.run(agent, input: "go") }
        }

        /// Request bodies of the size the runtime sends for the three turns (system-less transcript, one tool).
        let turns = Double(runs * turnsPerRun)
        let perTurn = (milliseconds(httpOverhead.wall) - milliseconds(httpOverhead.mock)) / turns
        print("runs: \(runs) x \(turnsPerRun) turns")
        print(
            String(
                format: "wall: %.1f ms, inside mock handler: %.1f ms", milliseconds(httpOverhead.wall),
                milliseconds(httpOverhead.mock)))
        let rawPerTurn = (milliseconds(httpOverhead.raw) - milliseconds(httpOverhead.rawMock)) / turns
        print(String(format: "overhead per model turn over loopback HTTP: %.3f ms", perTurn))
        print(String(format: "bare HTTP round trip per turn (same requests, no runtime): %.3f ms", rawPerTurn))
        print(
            String(format: "runtime overhead per model turn beyond the HTTP round trip: %.3f ms", perTurn - rawPerTurn))
        print(
            String(
                format: "overhead per model turn, loop only (scripted provider): %.4f ms",
                milliseconds(loopOnly) / turns))
    }
}
