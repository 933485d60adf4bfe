import Synchronization
import Testing
import TrellisCore
import TrellisTesting

/// `approval:` decides which calls run: allowed calls run, denied ones and unanswerable asks become error results
/// the model reads, and an approver is asked once per `ask` call, in call order.
struct LoopApprovalTests {
    /// Answers from a list and records what it was asked.
    final class ListApprover: ToolApprover {
        private let state: Mutex<(answers: [Bool], asked: [String])>

        init(_ answers: [Bool]) { state = Mutex((answers, [])) }

        func decide(_ call: ToolCall, agent: String) async -> ToolApprovalDecision {
            state.withLock { state in
                state.asked.append("\(agent):\(call.name)(\(call.arguments))")
                return state.answers.isEmpty || !state.answers.removeFirst() ? .deny : .approve
            }
        }

        var asked: [String] { state.withLock { $0.asked } }
    }

    private func agent(_ policy: ToolApprovalPolicy) -> AgentDefinition {
        var agent = testAgent()
        agent.approval = policy
        return agent
    }

    @Test("deny refuses the call with a result naming the policy; the tool never runs")
    func deny() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.call("echo", #"{"text":"hi"}"#), .answer("ok")], tools: [echo],
            agent: agent(ToolApprovalPolicy(tools: ["echo": .deny])))

        #expect(echo.log.count == 0)
        #expect(result.finishReason == .stop)
        let seen = try #require(provider.requests.last?.lastMessage)
        #expect(seen.text == "not executed: the agent's approval policy denies tool 'echo'")
        #expect(result.toolCalls.first?.isError == true)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("ask without an approver is a refusal that says there is no terminal")
    func askWithoutApprover() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.call("echo", #"{"text":"hi"}"#), .answer("ok")], tools: [echo],
            agent: agent(ToolApprovalPolicy(defaultRule: .ask)))

        #expect(echo.log.count == 0)
        let seen = try #require(provider.requests.last?.lastMessage)
        #expect(
            seen.text
                == "not executed: tool 'echo' needs approval (approval: ask) and there is no terminal to ask on; "
                + "set its rule to allow for unattended runs")
        #expect(result.finishReason == .stop)
    }

    @Test("ask goes to the approver once per call, in call order; a no is reported as declined")
    func askApprover() async throws {
        let echo = EchoTool()
        let approver = ListApprover([true, false])
        let (result, provider) = await runScript(
            [.calls([("echo", #"{"text":"one"}"#), ("echo", #"{"text":"two"}"#)]), .answer("ok")], tools: [echo],
            agent: agent(ToolApprovalPolicy(defaultRule: .ask)), options: AgentRunner.Options(approver: approver))

        #expect(approver.asked == [#"tester:echo({"text":"one"})"#, #"tester:echo({"text":"two"})"#])
        #expect(echo.log.arguments == [["text": "one"]])
        let results = result.toolCalls.map(\.content)
        #expect(results == ["echo: one", "not executed: the user declined the call to 'echo'"])
        #expect(provider.requests.count == 2)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("rules per tool override the default; invalid arguments are reported before anyone is asked")
    func perToolRules() async throws {
        let echo = EchoTool()
        let other = EchoTool(name: "other")
        let approver = ListApprover([])
        let (result, _) = await runScript(
            [.calls([("echo", #"{"text":"a"}"#), ("other", #"{"text":5}"#)]), .answer("ok")], tools: [echo, other],
            agent: agent(ToolApprovalPolicy(defaultRule: .ask, tools: ["echo": .allow])),
            options: AgentRunner.Options(approver: approver))

        #expect(approver.asked.isEmpty)
        #expect(echo.log.count == 1)
        #expect(result.toolCalls.map(\.isError) == [false, true])
        #expect(result.toolCalls[1].content.hasPrefix("invalid arguments for tool 'other'"))
    }
}
