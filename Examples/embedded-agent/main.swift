// Run an agent from your own Swift program, with a tool of your own.
// `swift run embedded-agent "count the words in: to be or not to be"` (set OPENAI_BASE_URL / OPENAI_API_KEY).
import Foundation
import TrellisCore
import TrellisPlugins
import TrellisProviders

/// A tool is any type that conforms to `ToolExecutor`.
struct WordCount: ToolExecutor {
    let definition = ToolDefinition(
        name: "word_count", description: "Counts the words in a text",
        parameters: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]])

    func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let words = arguments["text"]?.stringValue?.split(whereSeparator: \.isWhitespace).count ?? 0
        return ToolOutput("\(words)")
    }
}

let environment = ProcessInfo.processInfo.environment
let provider = OpenAICompatibleProvider(
    configuration: ProviderConfiguration(
        name: "openai", kind: "openai",
        baseURL: environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
        apiKey: environment["OPENAI_API_KEY"]))
let agent = AgentDefinition(
    name: "counter", model: ModelReference(provider: "openai", name: environment["MODEL"] ?? "gpt-4o-mini"),
    system: "Use word_count to count words.")
let runner = AgentRunner(provider: provider, tools: [WordCount(), CalculatorTool()])
let result = await runner.run(agent, input: CommandLine.arguments.dropFirst().joined(separator: " "))
print(result.output)
exit(result.finishReason.isSuccess ? 0 : 1)
