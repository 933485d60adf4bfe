import Testing
import TrellisCore
import TrellisTesting

/// Runs that reach more than one agent: routes before the loop, handoffs during it, and agents called as tools.
@Suite struct AgentSwitchingTests {
    /// A workspace in memory: agents by name, each with its own scripted provider and tools.
    struct Agents: AgentResolver {
        var definitions: [String: AgentDefinition]
        var providers: [String: ScriptedModelProvider]
        var tools: [String: [any ToolExecutor]] = [:]

        func definition(named name: String) async throws -> AgentDefinition {
            guard let definition = definitions[name] else {
                throw AgentResolutionError(agent: name, message: "no such agent")
            }
            return definition
        }

        func router(for agent: AgentDefinition) async throws -> Router? {
            try agent.routes.map {
                try Router(table: $0, classifiers: [KeywordClassifier(routes: $0.routes)], agent: agent.name)
            }
        }

        func equipment(for agent: AgentDefinition) async throws -> AgentEquipment {
            AgentEquipment(provider: providers[agent.name]!, tools: tools[agent.name] ?? [])
        }
    }

    static func agent(_ name: String, system: String, _ change: (inout AgentDefinition) -> Void = { _ in })
        -> AgentDefinition
    {
        var definition = AgentDefinition(
            name: name, model: ModelReference(provider: "p", name: "m-\(name)"), system: system)
        change(&definition)
        return definition
    }

    @Test("routes go on while the agent reached routes again; the last decision is the result's")
    func nestedRouting() async throws {
        let desk = Self.agent("desk", system: "desk") {
            $0.routes = RouteTable(
                classifiers: [ClassifierSpec(kind: .keyword)],
                routes: [Route(label: "money", agent: "billing", keywords: ["refund*", "charge*"])])
        }
        let billing = Self.agent("billing", system: "billing") {
            $0.routes = RouteTable(
                classifiers: [ClassifierSpec(kind: .keyword)],
                routes: [
                    Route(label: "refunds", agent: "refunds", keywords: ["refund*"]),
                    Route(label: "charges", agent: "charges", keywords: ["charge*"]),
                ])
        }
        let refunds = Self.agent("refunds", system: "You handle refunds.")
        let provider = ScriptedModelProvider([.answer("Refund on its way.")])
        let agents = Agents(
            definitions: ["desk": desk, "billing": billing, "refunds": refunds],
            providers: ["desk": ScriptedModelProvider([]), "billing": ScriptedModelProvider([]), "refunds": provider])
        let events = EventRecorder()
        let result = await AgentRunner(resolver: agents).run(desk, input: "a refund please") { events.record($0) }
        #expect(result.finishReason == .stop)
        #expect(result.agent == "refunds")
        #expect(result.route?.label == "refunds")
        let routed = events.events.compactMap { if case .routed(let decision) = $0 { decision.agent } else { nil } }
        #expect(routed == ["billing", "refunds"])
        #expect(provider.requests.first?.messages.first?.text == "You handle refunds.")
    }

    @Test("a handoff keeps the conversation, answers the transfer call, and the next request is the target's own")
    func handoff() async throws {
        let triage = Self.agent("triage", system: "You triage.") { $0.handoffs = ["billing"] }
        let billing = Self.agent("billing", system: "You are billing.") { $0.limits.maxTurns = 3 }
        let triageModel = ScriptedModelProvider([
            .call("transfer_to_billing", "{}", id: "t1", usage: Usage(inputTokens: 10, outputTokens: 2))
        ])
        let billingModel = ScriptedModelProvider([
            .call("echo", #"{"text":"invoice"}"#, id: "e1", usage: Usage(inputTokens: 20, outputTokens: 3)),
            .answer("Here is your invoice.", usage: Usage(inputTokens: 30, outputTokens: 4)),
        ])
        let agents = Agents(
            definitions: ["triage": triage, "billing": billing],
            providers: ["triage": triageModel, "billing": billingModel], tools: ["billing": [EchoTool()]])
        let events = EventRecorder()
        let result = await AgentRunner(resolver: agents).run(triage, input: "my invoice?") { events.record($0) }
        #expect(result.finishReason == .stop)
        #expect(result.agent == "billing")
        #expect(result.output == "Here is your invoice.")
        #expect(result.turns == 3)
        #expect(result.usage?.totalTokens == 69)
        expectEveryCallAnsweredOnce(result.transcript)
        #expect(result.toolCalls.map(\.content) == [#"{"assistant":"billing"}"#, "echo: invoice"])
        // The triage model was offered the transfer tool; billing's request has billing's prompt and tools.
        #expect(triageModel.requests.first?.tools.map(\.name) == ["transfer_to_billing"])
        let handedOver = try #require(billingModel.requests.first)
        #expect(handedOver.model == "m-billing")
        #expect(handedOver.messages.first?.text == "You are billing.")
        #expect(handedOver.messages.filter { $0.role == .system }.count == 1)
        #expect(handedOver.messages.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(handedOver.tools.map(\.name) == ["echo"])
        #expect(events.events.contains(.handedOff(from: "triage", to: "billing")))
    }

    @Test("the run's limits go on across a handoff")
    func limitsAcrossHandoff() async throws {
        let triage = Self.agent("triage", system: "t") {
            $0.handoffs = ["billing"]
            $0.limits.maxTurns = 2
        }
        let billing = Self.agent("billing", system: "b")
        let agents = Agents(
            definitions: ["triage": triage, "billing": billing],
            providers: [
                "triage": ScriptedModelProvider([.call("transfer_to_billing")]),
                "billing": ScriptedModelProvider([.call("echo", "{}"), .answer("late")]),
            ], tools: ["billing": [EchoTool()]])
        let result = await AgentRunner(resolver: agents).run(triage, input: "hi")
        #expect(result.finishReason == .maxTurns)
        #expect(result.turns == 2)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("an agent called as a tool answers the input the model gave; its usage is added and its events nested")
    func agentAsTool() async throws {
        let lead = Self.agent("lead", system: "You lead.") { $0.agentTools = ["researcher"] }
        let researcher = Self.agent("researcher", system: "You research.") { $0.description = "Finds facts" }
        let leadModel = ScriptedModelProvider([
            .call(
                "researcher", #"{"input":"height of Elbrus"}"#, id: "r1", usage: Usage(inputTokens: 10, outputTokens: 5)
            ),
            .answer("Elbrus is 5,642 m.", usage: Usage(inputTokens: 40, outputTokens: 6)),
        ])
        let researcherModel = ScriptedModelProvider([.answer("5,642 m", usage: Usage(inputTokens: 7, outputTokens: 2))])
        let agents = Agents(
            definitions: ["lead": lead, "researcher": researcher],
            providers: ["lead": leadModel, "researcher": researcherModel])
        let events = EventRecorder()
        let result = await AgentRunner(resolver: agents).run(lead, input: "How tall is Elbrus?") { events.record($0) }
        #expect(result.output == "Elbrus is 5,642 m.")
        #expect(result.agent == "lead")
        #expect(result.usage?.totalTokens == 70)
        #expect(result.toolCalls.map(\.content) == ["5,642 m"])
        #expect(leadModel.requests.first?.tools.first?.description == "Finds facts")
        #expect(researcherModel.requests.first?.messages.last?.text == "height of Elbrus")
        let nested = events.events.compactMap { if case .nested(let agent, _) = $0 { agent } else { nil } }
        #expect(nested.contains("researcher"))
        #expect(events.events.contains { if case .nested(_, .finished) = $0 { true } else { false } })
    }

    @Test("agents calling agents stop at the depth limit with an error result, not a hang")
    func agentToolDepth() async throws {
        let looping = Self.agent("deep", system: "d") { $0.agentTools = ["deep"] }
        // Runs at depths 0 to 3 each call the tool once; the fourth call is refused, then every run answers.
        let steps: [ScriptedModelProvider.Step] =
            (0..<4).map { _ in .call("deep", #"{"input":"again"}"#) } + (0..<4).map { _ in .answer("done") }
        let provider = ScriptedModelProvider(steps)
        let agents = Agents(definitions: ["deep": looping], providers: ["deep": provider])
        let events = EventRecorder()
        let result = await AgentRunner(resolver: agents).run(looping, input: "go") { events.record($0) }
        #expect(result.finishReason == .stop)
        #expect(result.output == "done")
        #expect(provider.requests.count == 8)
        func results(_ event: RunEvent, depth: Int) -> [(Int, ToolOutput)] {
            switch event {
            case .nested(_, let inner): return results(inner, depth: depth + 1)
            case .toolResult(_, let output, _): return [(depth, output)]
            default: return []
            }
        }
        let refused = events.events.flatMap { results($0, depth: 0) }.filter { $0.1.isError }
        #expect(refused.map(\.0) == [3])
        #expect(refused.first?.1.content == "agent 'deep' was not called: agents call agents at most 4 deep")
    }
}
