import Testing
import TrellisCore

@testable import TrellisProviders

/// What the `local` adapter changes in a request for llama-cpp-python's server, and what it streams.
struct LocalModelProviderTests {
    static let calculator = ToolDefinition(name: "calculator", description: "Arithmetic")
    static let clock = ToolDefinition(name: "clock", description: "Time")

    static func request(_ tools: [ToolDefinition], _ choice: ToolChoice?) -> ModelRequest {
        ModelRequest(model: "smollm2", messages: [.user("2+2?")], tools: tools, toolChoice: choice)
    }

    @Test(
        "tools without a choice are offered as auto (the server ignores them otherwise); required becomes the tool",
        arguments: [
            ([calculator], nil, ToolChoice.auto), ([calculator], .required, .function("calculator")),
            ([calculator, clock], .required, .auto), ([calculator], ToolChoice.none, ToolChoice.none),
            ([calculator], .function("calculator"), .function("calculator")),
        ] as [([ToolDefinition], ToolChoice?, ToolChoice)])
    func adaptedChoice(tools: [ToolDefinition], choice: ToolChoice?, sent: ToolChoice) {
        #expect(LocalModelProvider.adapted(Self.request(tools, choice)).toolChoice == sent)
    }

    @Test("no tools: the request is left alone")
    func noTools() {
        #expect(LocalModelProvider.adapted(Self.request([], nil)).toolChoice == nil)
    }

    @Test("only a reply whose tool choice the server must make itself is sent unstreamed")
    func streamability() {
        #expect(LocalModelProvider.canStream(Self.request([], nil)))
        #expect(LocalModelProvider.canStream(Self.request([Self.calculator], .function("calculator"))))
        #expect(LocalModelProvider.canStream(Self.request([Self.calculator], ToolChoice.none)))
        #expect(!LocalModelProvider.canStream(Self.request([Self.calculator], .auto)))
    }
}
