import TrellisCore

extension PluginProcess {
    /// The failure a finished run shows before its stdout is even read: stopped for its output, timed out,
    /// killed, or a non-zero exit.
    func failure(of outcome: Outcome) -> PluginFailure? {
        if outcome.overflowed {
            return PluginFailure(
                "wrote more than \(maxOutputBytes) bytes to stdout (max_output_bytes) and was killed",
                stderr: outcome.stderr)
        }
        if outcome.timedOut {
            return PluginFailure(
                "timed out after \(timeout.pluginText) (its process group got SIGTERM, then SIGKILL "
                    + "after \(killGrace.pluginText))", stderr: outcome.stderr)
        }
        return PluginFailure.describe(outcome.status).map { PluginFailure($0, stderr: outcome.stderr) }
    }

    /// Stdout read as one JSON object, or why it is not one.
    func replyObject(of outcome: Outcome) -> Result<JSONObject, PluginFailure> {
        if let failure = failure(of: outcome) { return .failure(failure) }
        let text = String(decoding: outcome.stdout, as: UTF8.self)
        if text.allSatisfy(\.isWhitespace) {
            return .failure(PluginFailure("exited without writing a reply to stdout", stderr: outcome.stderr))
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes: outcome.stdout)
        } catch {
            return .failure(
                PluginFailure(
                    "wrote something that is not JSON to stdout (\(error)): \(Self.excerpt(text))",
                    stderr: outcome.stderr))
        }
        guard case .object(let object) = value else {
            return .failure(
                PluginFailure(
                    "wrote a JSON \(value.typeName) to stdout instead of an object: \(Self.excerpt(text))",
                    stderr: outcome.stderr))
        }
        return .success(object)
    }

    /// The start of a text, on one line, for error messages.
    static func excerpt(_ text: String, limit: Int = 200) -> String {
        let line = text.trimmingPrefix(while: \.isWhitespace).replacing("\n", with: "\\n")
        return line.count > limit ? String(line.prefix(limit)) + "…" : String(line)
    }
}
