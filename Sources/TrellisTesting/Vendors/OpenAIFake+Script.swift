import Foundation
import TrellisCore

extension OpenAIFake {
    /// A model that follows a script written in the user's message, for tests and benchmarks of whole runs:
    ///
    /// - after a tool result, it answers `done: RESULT`;
    /// - for `call TOOL {ARGUMENTS}` (anywhere in the user's last message) it calls that tool, and for
    ///   `call TOOL {ARGUMENTS} then TOOL2 {ARGUMENTS2}` it calls the next one after the first's result;
    /// - for anything else it answers `echo: MESSAGE`.
    ///
    /// Replies stream when the request asks, after `delay`.
    ///
    /// ```swift
    /// server.respond(with: OpenAIFake.scripted(delay: .milliseconds(100)))
    /// ```
    public static func scripted(delay: Duration? = nil) -> @Sendable (RecordedRequest) async -> FakeResponse {
        { request in
            if let delay { try? await Task.sleep(for: delay) }
            let body = request.json
            let stream = body?["stream"]?.boolValue ?? false
            let messages = body?["messages"]?.arrayValue ?? []
            let user = messages.last { $0["role"]?.stringValue == "user" }
            let text = user?["content"]?.stringValue ?? ""
            let steps = Self.steps(in: text)
            let results = messages.reversed().prefix { $0["role"]?.stringValue != "user" }.filter {
                $0["role"]?.stringValue == "tool"
            }
            if results.count < steps.count {
                let step = steps[results.count]
                return reply(.calls(.init(step.tool, step.arguments)), stream: stream)
            }
            if let last = messages.last, last["role"]?.stringValue == "tool" {
                return reply(.text("done: " + (last["content"]?.stringValue ?? "")), stream: stream)
            }
            return reply(.text("echo: " + text), stream: stream)
        }
    }

    /// The `call TOOL {ARGUMENTS}` steps of a message, in order.
    static func steps(in text: String) -> [(tool: String, arguments: String)] {
        guard let start = text.range(of: "call ") else { return [] }
        var rest = text[start.upperBound...]
        var steps: [(String, String)] = []
        while true {
            rest = rest.drop { $0 == " " }
            let tool = rest.prefix { $0 != " " && $0 != "{" }
            guard !tool.isEmpty else { break }
            rest = rest.dropFirst(tool.count).drop { $0 == " " }
            guard rest.first == "{" else { break }
            var depth = 0
            var end = rest.startIndex
            for index in rest.indices {
                if rest[index] == "{" { depth += 1 }
                if rest[index] == "}" { depth -= 1 }
                if depth == 0 {
                    end = rest.index(after: index)
                    break
                }
            }
            steps.append((String(tool), String(rest[rest.startIndex..<end])))
            rest = rest[end...].drop { $0 == " " }
            guard rest.hasPrefix("then ") else { break }
            rest = rest.dropFirst(5)
        }
        return steps
    }
}
