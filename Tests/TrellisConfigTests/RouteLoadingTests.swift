import Testing
import TrellisConfig
import TrellisCore

/// `routes:` in agent files: what is read, and each mistake at its place.
@Suite struct RouteLoadingTests {
    private static let targets = [
        "billing": "model: openai/gpt-4o\n", "tech": "model: openai/gpt-4o\n", "general": "model: openai/gpt-4o\n",
    ]

    @Test("a full table: a chain of classifiers, a threshold, labels with agents, keywords and examples, a fallback")
    func fullTable() throws {
        let desk = """
            model: openai/gpt-4o
            routes:
              classifier: [keyword, {kind: llm, threshold: 0.8, model: openai/gpt-4o-mini}]
              threshold: 0.6
              to:
                billing: {agent: billing, description: payments and refunds, keywords: [refund*, /\\d+ usd/], examples: [I was charged twice]}
                tech: tech
              fallback: general
            """
        var agents = Self.targets
        agents["desk"] = desk
        let table = try #require(try WorkspaceFixture(agents: agents).load().agent(named: "desk").definition.routes)
        #expect(table.classifiers.map(\.kind) == [.keyword, .llm])
        #expect(table.classifiers[1].threshold == 0.8)
        #expect(table.classifiers[1].model?.description == "openai/gpt-4o-mini")
        #expect(table.threshold == 0.6)
        #expect(table.routes.map(\.label) == ["billing", "tech"])
        #expect(table.routes.map(\.agent) == ["billing", "tech"])
        #expect(table.routes[0].keywords == ["refund*", "/\\d+ usd/"])
        #expect(table.routes[0].examples == ["I was charged twice"])
        #expect(table.routes[0].description == "payments and refunds")
        #expect(table.fallback == .agent("general"))
    }

    @Test("defaults: the table's threshold is 0.5 and the fallback is the routing agent itself")
    func defaults() throws {
        var agents = Self.targets
        agents["desk"] = "model: openai/gpt-4o\nroutes: {classifier: keyword, to: {billing: billing}}\n"
        let table = try #require(try WorkspaceFixture(agents: agents).load().agent(named: "desk").definition.routes)
        #expect(table.threshold == 0.5)
        #expect(table.fallback == .stay)
        #expect(table.classifiers == [ClassifierSpec(kind: .keyword)])
    }

    @Test("each mistake is an error at its place")
    func mistakes() throws {
        var agents = Self.targets
        agents["desk"] = """
            model: openai/gpt-4o
            routes:
              classifier: [keyword, {kind: embeding}, {threshold: 0.2}]
              threshold: 1.5
              to: {billing: {agent: billing, keywords: [refund, "/(a/", " * "]}, tech: {description: x}}
            """
        agents["empty"] = "model: openai/gpt-4o\nroutes: {classifier: llm, to: {}}\n"
        agents["bare"] = "model: openai/gpt-4o\nroutes: {threshold: 0.3}\n"
        let errors = try WorkspaceFixture(agents: agents).errors()
        #expect(
            errors == [
                "WS/agents/bare.yaml:2:9: 'routes' needs 'classifier' (one of keyword, embedding, fewshot, llm, or a list)",
                "WS/agents/bare.yaml:2:9: 'routes' needs 'to' (label: agent, ...)",
                "WS/agents/desk.yaml:3:32: unknown classifier kind 'embeding' (did you mean 'embedding'?); kinds: keyword, embedding, fewshot, llm",
                "WS/agents/desk.yaml:3:43: a classifier needs 'kind' (one of keyword, embedding, fewshot, llm)",
                "WS/agents/desk.yaml:4:14: 'routes.threshold' must be a number from 0 to 1, got '1.5'",
                "WS/agents/desk.yaml:5:53: keyword '/(a/' of route 'billing': pattern '(a' at character 1: a group is not closed",
                "WS/agents/desk.yaml:5:61: keyword ' * ' of route 'billing': it holds no letter or digit",
                "WS/agents/desk.yaml:5:76: route 'tech' needs 'agent'",
                "WS/agents/empty.yaml:2:31: 'routes.to' is empty; give each label an agent: {billing: billing}",
            ])
    }

    @Test("a route or fallback to an agent that does not exist names the agents there are")
    func unknownAgents() throws {
        var agents = Self.targets
        agents["desk"] =
            "model: openai/gpt-4o\nroutes: {classifier: keyword, to: {billing: biling}, fallback: nobody}\n"
        let errors = try WorkspaceFixture(agents: agents).errors()
        #expect(
            errors == [
                "WS/agents/desk.yaml:2:45: route 'billing' hands the run to agent 'biling', which is not in the "
                    + "workspace (did you mean 'billing'?); agents: billing, desk, general, tech",
                "WS/agents/desk.yaml:2:64: 'routes.fallback' names agent 'nobody', which is not in the workspace; "
                    + "use self or one of: billing, desk, general, tech",
            ])
    }

    @Test("routes that lead back to an agent on their path are a cycle, reported once where it closes")
    func cycles() throws {
        let agents = [
            "desk": "model: openai/gpt-4o\nroutes: {classifier: keyword, to: {billing: billing, tech: tech}}\n",
            "billing": "model: openai/gpt-4o\nroutes: {classifier: keyword, to: {back: desk}}\n",
            "tech": "model: openai/gpt-4o\nroutes: {classifier: keyword, to: {me: tech}}\n",
        ]
        let errors = try WorkspaceFixture(agents: agents).errors()
        #expect(
            errors == [
                "WS/agents/desk.yaml:2:45: routes form a cycle: billing → desk → billing; a route must lead to an "
                    + "agent that answers",
                "WS/agents/tech.yaml:2:40: routes form a cycle: tech → tech; a route must lead to an agent that answers",
            ])
    }

    @Test("fewshot and embedding classifiers need a provider that offers them")
    func capabilities() throws {
        var agents = Self.targets
        agents["desk"] = """
            model: openai/gpt-4o
            routes:
              classifier: [{kind: fewshot}, {kind: embedding, model: yandex/text-search-query}, {kind: fewshot, model: yandex/yandexgpt-lite}]
              to: {billing: billing}
            """
        let errors = try WorkspaceFixture(agents: agents).errors()
        #expect(
            errors == [
                "WS/agents/desk.yaml:3:16: a fewshot classifier needs few-shot classification, which provider 'openai' "
                    + "(kind openai) does not offer; kinds that do: yandex (set the classifier's model: "
                    + "{kind: fewshot, model: PROVIDER/MODEL})"
            ])
    }

    @Test("handoffs and agent tools are read, their targets checked, and cycles through them named with their kinds")
    func handoffsAndAgentTools() throws {
        var agents = Self.targets
        agents["triage"] = "model: openai/gpt-4o\nhandoffs: [billing, tech]\ntools: [clock, {agent: general}]\n"
        let triage = try WorkspaceFixture(agents: agents).load().agent(named: "triage").definition
        #expect(triage.handoffs == ["billing", "tech"])
        #expect(triage.agentTools == ["general"])
        #expect(triage.tools.map(\.name) == ["clock"])

        agents["triage"] = "model: openai/gpt-4o\nhandoffs: [biling]\ntools: [{agent: nobody}]\n"
        agents["billing"] = "model: openai/gpt-4o\nhandoffs: [billing]\n"
        agents["tech"] = "model: openai/gpt-4o\ntools: [{agent: general}]\n"
        agents["general"] = "model: openai/gpt-4o\nroutes: {classifier: keyword, to: {t: tech}}\n"
        let errors = try WorkspaceFixture(agents: agents).errors()
        #expect(
            errors == [
                "WS/agents/billing.yaml:2:12: handoffs form a cycle: billing → billing; each must lead to an agent that "
                    + "does not lead back",
                "WS/agents/tech.yaml:2:17: routes and agent tools form a cycle: general → tech → general; each must "
                    + "lead to an agent that does not lead back",
                "WS/agents/triage.yaml:2:12: 'handoffs' names agent 'biling', which is not in the workspace (did you "
                    + "mean 'billing'?); agents: billing, general, tech, triage",
                "WS/agents/triage.yaml:3:17: 'tools' names agent 'nobody', which is not in the workspace; agents: "
                    + "billing, general, tech, triage",
            ])
    }
}
