// fault-probe: runs agents in-process against a faulty provider and faulty plugins, and reports whether the
// process kept anything it should have released. The fault tests run it as a separate process so that the file
// descriptors and child processes it counts are its own, not those of tests running beside it.
//
//   fault-probe '{"base_url": "http://127.0.0.1:PORT/v1", "runs": 20, "stream": false,
//                 "plugins": ["/path/to/plugin-folder"], "plugin_timeout_ms": 1000, "cancel": "tools",
//                 "cancel_delay_ms": 300}'
//
// It prints one JSON object: the descriptor and child counts before and after, and each run's outcome.
import Foundation
import Synchronization
import TrellisConfig
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// The phase of a run at which the probe cancels it.
enum CancelPhase: String {
    case none, waiting, streaming, tools

    /// Whether `event` shows the run has reached this phase.
    func reached(by event: RunEvent) -> Bool {
        switch (self, event) {
        case (.waiting, .turnStarted), (.streaming, .textDelta), (.tools, .toolCall): true
        default: false
        }
    }
}

/// One run's outcome and whether its tool calls were all answered.
struct RunReport: Sendable {
    var result: RunResult
    var calls: [String]
    var answered: [String]

    var json: JSONValue {
        let unanswered = calls.filter { id in answered.filter { $0 == id }.count != 1 }
        return [
            "finish_reason": .string(result.finishReason.rawValue),
            "error_code": result.error.map { .string($0.code) } ?? .null,
            "error_message": result.error.map { .string($0.message) } ?? .null,
            "tool_calls": .integer(calls.count), "unanswered_calls": .array(unanswered.map(JSONValue.string)),
            "tool_errors": .integer(result.toolCalls.filter(\.isError).count),
        ]
    }
}

/// Open descriptors of this process.
func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// What each open descriptor is (`socket:[1234]`, a path), for the report when some were left open.
func descriptorTargets() -> [String] {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)") }
}

/// Live child processes of this process (every thread's children), but the watchdog that lives as long as it.
func childProcesses() -> [Int] {
    let watchdog = ProcessWatchdog.start().map(Int.init)
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.flatMap { task in
        ((try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }.filter { $0 != watchdog }
}

/// Runs `agent` once, cancelling it when it reaches `phase`.
func probe(
    _ runner: AgentRunner, _ agent: AgentDefinition, stream: Bool, cancel phase: CancelPhase, after delay: Duration
) async -> RunReport {
    let events = Mutex<(calls: [String], answered: [String])>(([], []))
    let (reached, signal) = AsyncStream.makeStream(of: Void.self)
    let onEvent: @Sendable (RunEvent) async -> Void = { event in
        switch event {
        case .toolCall(let call): events.withLock { $0.calls.append(call.id) }
        case .toolResult(let call, _, _): events.withLock { $0.answered.append(call.id) }
        default: break
        }
        if phase.reached(by: event) { signal.yield() }
    }
    let result = await withTaskGroup(of: RunResult?.self) { group in
        group.addTask {
            defer { signal.finish() }
            return await runner.run(
                agent, input: "What is 17*23?", options: AgentRunner.Options(stream: stream), onEvent: onEvent)
        }
        group.addTask {
            for await _ in reached {
                // Well inside the phase: the request sent, the stream started, the plugin running.
                try? await Task.sleep(for: delay)
                return nil
            }
            return nil
        }
        var result: RunResult?
        while let next = await group.next() {
            if let next { result = next } else { group.cancelAll() }
        }
        return result!
    }
    let (calls, answered) = events.withLock { ($0.calls, $0.answered) }
    return RunReport(result: result, calls: calls, answered: answered)
}

@main struct FaultProbe {
    static func main() async throws {
        let scenario = try JSONValue.parse(CommandLine.arguments.dropFirst().first ?? "{}")
        let provider = OpenAICompatibleProvider(
            configuration: ProviderConfiguration(
                name: "faulty", kind: "openai", baseURL: scenario["base_url"]?.stringValue ?? "",
                apiKey: "sk-probe-key", timeout: .milliseconds(scenario["timeout_ms"]?.intValue ?? 30000),
                maxRetries: 1))
        var tools: [any ToolExecutor] = [CalculatorTool()]
        for folder in scenario["plugins"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            var manifest = try PluginManifest.load(folder: folder, environment: [:])
            if let timeout = scenario["plugin_timeout_ms"]?.intValue { manifest.timeout = .milliseconds(timeout) }
            let plugin = ExecutablePlugin(
                manifest: manifest, environment: ["PATH": "/usr/bin:/bin", "FIXTURE_PIDS": "/dev/null"],
                killGrace: .milliseconds(200))
            tools += try await plugin.tools() as [any ToolExecutor]
        }
        let runner = AgentRunner(provider: provider, tools: tools)
        let agent = AgentDefinition(
            name: "probe", model: ModelReference(provider: "faulty", name: "fault-model"),
            system: "You answer with tools.", tools: tools.map { ToolReference(name: $0.definition.name) },
            limits: RunLimits(maxTurns: 4, timeout: .seconds(60)))
        let stream = scenario["stream"]?.boolValue ?? false
        let phase = CancelPhase(rawValue: scenario["cancel"]?.stringValue ?? "none") ?? .none
        let delay = Duration.milliseconds(scenario["cancel_delay_ms"]?.intValue ?? 300)

        // One run first, so that what lives for the whole process (the HTTP client's event loops, the process
        // monitor, the watchdog and its pipe) exists before counting.
        _ = await probe(runner, agent, stream: stream, cancel: phase, after: delay)
        _ = ProcessWatchdog.start()
        let descriptorsBefore = openDescriptors()
        let reports = await withTaskGroup(of: RunReport.self) { group in
            for _ in 0..<(scenario["runs"]?.intValue ?? 1) {
                group.addTask { await probe(runner, agent, stream: stream, cancel: phase, after: delay) }
            }
            var reports: [RunReport] = []
            while let report = await group.next() { reports.append(report) }
            return reports
        }
        // Closing a connection or reaping a child finishes shortly after a run returns: wait for it, within reason.
        // A request cancelled before its connection was open leaves that connection idle in the HTTP client's
        // pool, which closes it after 60 s: a cancelled run may take that long, and a real leak never settles.
        let deadline = ContinuousClock.now + (phase == .none ? .seconds(15) : .seconds(70))
        while ContinuousClock.now < deadline, openDescriptors() > descriptorsBefore || !childProcesses().isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        let report: JSONValue = [
            "fds_before": .integer(descriptorsBefore), "fds_after": .integer(openDescriptors()),
            "children_after": .integer(childProcesses().count),
            "descriptors": .array(descriptorTargets().map(JSONValue.string)), "runs": .array(reports.map(\.json)),
        ]
        print(report.serialized())
    }
}
