import TrellisConfig
import TrellisCore

/// The logic of `trellis plugin check DIR`: reads the manifest, runs `--describe` when the manifest asks for it,
/// then sends every tool an empty call and a call with schema-valid sample arguments, and says for each step
/// whether the plugin conforms to protocol 1.
///
/// ```swift
/// let report = await PluginCheck.run(folder: "plugins/units", environment: env, workspace: cwd)
/// for step in report.steps { print(step.name, step.verdict.rawValue, step.detail) }
/// ```
///
/// A reply that follows the protocol conforms even when it is an error result: an empty call is expected to be
/// refused politely (`is_error: true`, exit 0), not to crash.
public enum PluginCheck {
    /// Checks the plugin in `folder`.
    ///
    /// - Parameters:
    ///   - folder: The plugin folder (holding `plugin.yaml`).
    ///   - environment: The runtime's environment (for `${VAR}` in the manifest and the plugin's allow-list).
    ///   - workspace: Sent as the calls' workspace, and their working directory unless the manifest says otherwise.
    ///   - killGrace: Time between SIGTERM and SIGKILL when a call passes its timeout.
    /// - Returns: The report; ``PluginCheckReport/manifestIsBroken`` when `plugin.yaml` cannot be read.
    public static func run(
        folder: String, environment: [String: String], workspace: String?, killGrace: Duration = .seconds(1)
    ) async -> PluginCheckReport {
        let manifest: PluginManifest
        do {
            manifest = try PluginManifest.load(folder: folder, environment: environment)
        } catch {
            let detail = error.errors.map(\.description).joined(separator: "\n")
            return PluginCheckReport(
                folder: folder, steps: [.init(name: "manifest", verdict: .fails, detail: detail)],
                manifestIsBroken: true)
        }
        var report = PluginCheckReport(folder: manifest.folder)
        let listed = manifest.tools.map(\.name)
        report.steps.append(
            .init(
                name: "manifest", verdict: .conforms,
                detail: "protocol 1, command \(manifest.command), "
                    + (manifest.describe ? "describe: true" : "tools: \(listed.joined(separator: ", "))")))
        let plugin = ExecutablePlugin(manifest: manifest, environment: environment, killGrace: killGrace)
        var definitions = manifest.tools
        if manifest.describe {
            let (step, described) = await describeStep(plugin)
            report.steps.append(step)
            if let described {
                definitions = described.map { tool in manifest.tools.first { $0.name == tool.name } ?? tool }
                definitions += manifest.tools.filter { tool in !described.contains { $0.name == tool.name } }
            }
        }
        for (index, definition) in definitions.enumerated() {
            let tool = ExecutablePluginTool(definition: definition, plugin: plugin)
            report.steps += await toolSteps(tool, number: index + 1, workspace: workspace)
        }
        return report
    }

    private static func describeStep(_ plugin: ExecutablePlugin) async -> (PluginCheckReport.Step, [ToolDefinition]?) {
        let start = ContinuousClock.now
        let result: Result<[ToolDefinition], PluginFailure>
        do {
            result = try await plugin.describe()
        } catch {
            return (.init(name: "--describe", verdict: .skipped, detail: "cancelled"), nil)
        }
        let duration = ContinuousClock.now - start
        switch result {
        case .failure(let failure):
            let detail = String(failure.detail.dropFirst("--describe: ".count))
            return (.init(name: "--describe", verdict: .fails, detail: detail, duration: duration), nil)
        case .success(let tools):
            var detail = "\(tools.count) tools: " + tools.map(\.name).joined(separator: ", ")
            let listedOnly = plugin.manifest.tools.map(\.name).filter { name in !tools.contains { $0.name == name } }
            let overridden = plugin.manifest.tools.map(\.name).filter { name in tools.contains { $0.name == name } }
            if !overridden.isEmpty { detail += "; plugin.yaml overrides: " + overridden.joined(separator: ", ") }
            if !listedOnly.isEmpty { detail += "; only in plugin.yaml: " + listedOnly.joined(separator: ", ") }
            return (.init(name: "--describe", verdict: .conforms, detail: detail, duration: duration), tools)
        }
    }

    private static func toolSteps(_ tool: ExecutablePluginTool, number: Int, workspace: String?) async
        -> [PluginCheckReport.Step]
    {
        let name = tool.definition.name
        let empty = await step(
            "\(name): empty call", tool, arguments: [:], callID: "check_\(number)_empty", workspace: workspace)
        var steps = [empty]
        let unusable = JSONSchemaValidator.unusablePatterns(in: tool.definition.parameters)
        if !unusable.isEmpty {
            // A pattern that is not a regular expression is the plugin's bug; one outside the checked subset is
            // only left to the plugin to enforce.
            let broken = unusable.contains { $0.error.kind == .invalid }
            steps.append(
                .init(
                    name: "\(name): schema patterns", verdict: broken ? .fails : .skipped,
                    detail: "not checked before calls: " + unusable.map(\.description).joined(separator: "; ")))
        }
        let sample = SampleArguments.sample(for: tool.definition.parameters)
        let problems = JSONSchemaValidator(schema: tool.definition.parameters).violations(of: sample)
        guard problems.isEmpty else {
            let detail =
                "could not build arguments the schema accepts (\(problems.joined(separator: "; "))); "
                + "tried \(sample.serialized())"
            return steps + [.init(name: "\(name): sample call", verdict: .skipped, detail: detail)]
        }
        var sampleStep = await step(
            "\(name): sample call", tool, arguments: sample, callID: "check_\(number)_sample", workspace: workspace)
        sampleStep.detail = "arguments \(sample.serialized()) → " + sampleStep.detail
        return steps + [sampleStep]
    }

    private static func step(
        _ name: String, _ tool: ExecutablePluginTool, arguments: JSONValue, callID: String, workspace: String?
    ) async -> PluginCheckReport.Step {
        let context = ToolContext(agent: "plugin-check", runID: "run_check", callID: callID, workspace: workspace)
        let start = ContinuousClock.now
        let result: Result<ToolOutput, PluginFailure>
        do {
            result = try await tool.call(arguments: arguments, context: context, validating: false)
        } catch {
            return .init(name: name, verdict: .skipped, detail: "cancelled")
        }
        let duration = ContinuousClock.now - start
        switch result {
        case .success(let output):
            let kind = output.isError ? "error result" : "result"
            return .init(
                name: name, verdict: .conforms, detail: "\(kind): \(PluginProcess.excerpt(output.content, limit: 120))",
                duration: duration)
        case .failure(let failure):
            return .init(name: name, verdict: .fails, detail: failure.detail, duration: duration)
        }
    }
}
