// `trellis-bench client`: Trellis in-process as one of the clients that bench/peers runs side by side.
import AsyncHTTPClient
import Foundation
import TrellisCore
import TrellisProviders

/// Runs conversations against an OpenAI-compatible mock at `--base-url` (bench/peers/mock.py), the way every peer
/// client in bench/peers does, and prints one JSON line with the client's CPU and wall time for the measured runs.
///
/// Each conversation's first message is `run ID turns T`, which tells the mock to ask for a tool call T − 1 times
/// and then answer; the mock times each turn between its reply and the client's next request.
enum ClientBenchmark {
    static func run(arguments: [String]) async throws {
        func value(_ name: String) -> String? { arguments.firstIndex(of: name).map { arguments[$0 + 1] } }
        guard let baseURL = value("--base-url") else {
            throw CocoaError(.coderInvalidValue, userInfo: [NSDebugDescriptionErrorKey: "client needs --base-url URL"])
        }
        let turns = value("--turns").flatMap(Int.init) ?? 3
        let parallel = value("--parallel").flatMap(Int.init) ?? 1
        let runs = value("--runs").flatMap(Int.init) ?? 1
        let tag = value("--tag") ?? "trellis"

        let agent = AgentDefinition(
            name: "bench", model: ModelReference(provider: "mock", name: "m"),
            limits: RunLimits(maxTurns: turns + 1, maxToolCalls: turns + 1))
        let provider = OpenAICompatibleProvider(
            configuration: ProviderConfiguration(name: "mock", kind: "openai", baseURL: baseURL, maxRetries: 0))
        let runner = AgentRunner(provider: provider, tools: [Echo()])

        let executor = EventLoopTaskExecutor(client: .trellis)
        func conversation(_ id: String) async throws {
            let result = await runner.run(
                agent, input: "run \(id) turns \(turns)", options: AgentRunner.Options(executor: executor))
            guard result.finishReason == .stop, result.turns == turns else {
                throw CocoaError(.coderInvalidValue, userInfo: [NSDebugDescriptionErrorKey: "unexpected \(result)"])
            }
        }
        try await conversation("warm-\(tag)")  // connections, caches; the mock leaves `warm-` runs out

        let cpuBefore = ProcessCPU.now()
        let wall = try await ContinuousClock().measure {
            for round in 0..<runs {
                try await withThrowingTaskGroup { group in
                    for lane in 0..<parallel {
                        group.addTask { try await conversation("\(tag)-\(round)-\(lane)") }
                    }
                    try await group.waitForAll()
                }
            }
        }
        let cpu = ProcessCPU.now() - cpuBefore
        print(#"{"cpu_s":\#(cpu),"wall_s":\#(wall.secondsValue)}"#)
    }
}

/// The CPU time (user and system) this process has used so far, in seconds.
enum ProcessCPU {
    static func now() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
