import TrellisCore

extension Workspace {
    /// The problems of every agent's `routes:` that need the whole workspace: a label or fallback naming an agent
    /// that does not exist, routes that lead back to an agent they came from, and a classifier whose provider
    /// cannot do what it needs (`fewshot` classification, `embedding` vectors).
    static func routeProblems(
        _ agents: [AgentFile], configuration: WorkspaceConfiguration, kinds: [ProviderKind]
    ) -> [DefinitionError] {
        var errors: [DefinitionError] = []
        let names = agents.map(\.definition.name)
        for agent in agents {
            let linked =
                zip(agent.definition.handoffs, agent.handoffPlaces).map { ($0, $1, "'handoffs'") }
                + zip(agent.definition.agentTools, agent.agentToolPlaces).map { ($0, $1, "'tools'") }
            for (target, place, field) in linked where !names.contains(target) {
                errors.append(
                    place.with(
                        "\(field) names agent '\(target)', which is not in the workspace"
                            + "\(Suggestions.hint(for: target, in: names)); agents: "
                            + names.sorted().joined(separator: ", "),
                        file: agent.path))
            }
            guard let table = agent.definition.routes else { continue }
            for route in table.routes where !route.agent.isEmpty && !names.contains(route.agent) {
                let place = agent.routePlaces.targets[route.label] ?? agent.namePlace
                errors.append(
                    place.with(
                        "route '\(route.label)' hands the run to agent '\(route.agent)', which is not in the "
                            + "workspace\(Suggestions.hint(for: route.agent, in: names)); agents: "
                            + names.sorted().joined(separator: ", "),
                        file: agent.path))
            }
            if case .agent(let fallback) = table.fallback, !names.contains(fallback) {
                errors.append(
                    (agent.routePlaces.fallback ?? agent.namePlace).with(
                        "'routes.fallback' names agent '\(fallback)', which is not in the workspace"
                            + "\(Suggestions.hint(for: fallback, in: names)); use self or one of: "
                            + names.sorted().joined(separator: ", "),
                        file: agent.path))
            }
            for (spec, place) in zip(table.classifiers, agent.routePlaces.classifiers) {
                if let problem = capabilityProblem(
                    spec, agentModel: agent.definition.model, configuration: configuration, kinds: kinds)
                {
                    errors.append(place.with(problem, file: agent.path))
                }
            }
        }
        errors += cycles(agents)
        return errors.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// What the classifier's provider lacks, if anything.
    private static func capabilityProblem(
        _ spec: ClassifierSpec, agentModel: ModelReference, configuration: WorkspaceConfiguration,
        kinds: [ProviderKind]
    ) -> String? {
        let needed: ProviderKind.Capabilities
        let what: String
        switch spec.kind {
        case .keyword, .llm: return nil
        case .fewshot:
            needed = .classification
            what = "few-shot classification"
        case .embedding:
            needed = .embeddings
            what = "embeddings"
        }
        let model = spec.model ?? agentModel
        guard let provider = configuration.providers[model.provider],
            let kind = kinds.first(where: { $0.name == provider.kind })
        else { return nil }  // an unknown provider is reported at the model already
        guard !kind.capabilities.contains(needed) else { return nil }
        let able = kinds.filter { $0.capabilities.contains(needed) }.map(\.name)
        return "a \(spec.kind.rawValue) classifier needs \(what), which provider '\(model.provider)' (kind "
            + "\(kind.name)) does not offer; kinds that do: \(able.joined(separator: ", ")) "
            + "(set the classifier's model: {kind: \(spec.kind.rawValue), model: PROVIDER/MODEL})"
    }

    /// A problem for each way routes lead back to an agent already on the path, reported once per cycle at the
    /// route that closes it: `routes form a cycle: desk → billing → desk`.
    private static func cycles(_ agents: [AgentFile]) -> [DefinitionError] {
        let byName = Dictionary(agents.map { ($0.definition.name, $0) }) { first, _ in first }
        func targets(of agent: AgentFile) -> [(agent: String, place: DefinitionError?, kind: String)] {
            var edges: [(agent: String, place: DefinitionError?, kind: String)] = []
            if let table = agent.definition.routes {
                edges += table.routes.map { ($0.agent, agent.routePlaces.targets[$0.label], "routes") }
                if case .agent(let fallback) = table.fallback {
                    edges.append((fallback, agent.routePlaces.fallback, "routes"))
                }
            }
            edges += zip(agent.definition.handoffs, agent.handoffPlaces).map { ($0, $1, "handoffs") }
            edges += zip(agent.definition.agentTools, agent.agentToolPlaces).map { ($0, $1, "agent tools") }
            return edges
        }
        var errors: [DefinitionError] = []
        var reported: Set<[String]> = []
        var finished: Set<String> = []
        /// `path` holds the agents from the start, `kinds` the kind of each link between them.
        func visit(_ name: String, path: [String], kinds: [String]) {
            guard let agent = byName[name], !finished.contains(name) else { return }
            for edge in targets(of: agent) {
                if let start = path.firstIndex(of: edge.agent) {
                    let cycle = Array(path[start...])
                    // One report per cycle, however it was entered.
                    let key = cycle.sorted()
                    guard !reported.contains(key) else { continue }
                    reported.insert(key)
                    let shown = (cycle + [edge.agent]).joined(separator: " → ")
                    var used: [String] = []
                    for kind in kinds[start...] + [edge.kind] where !used.contains(kind) { used.append(kind) }
                    let message =
                        used == ["routes"]
                        ? "routes form a cycle: \(shown); a route must lead to an agent that answers"
                        : "\(Self.listed(used)) form a cycle: \(shown); each must lead to an agent that does not lead back"
                    errors.append((edge.place ?? agent.namePlace).with(message, file: agent.path))
                } else {
                    visit(edge.agent, path: path + [edge.agent], kinds: kinds + [edge.kind])
                }
            }
            finished.insert(name)
        }
        for agent in agents.sorted(by: { $0.definition.name < $1.definition.name }) {
            visit(agent.definition.name, path: [agent.definition.name], kinds: [])
        }
        return errors
    }

    /// `routes`, `routes and handoffs`, `routes, handoffs and agent tools`.
    private static func listed(_ kinds: [String]) -> String {
        kinds.count <= 1 ? kinds.joined() : kinds.dropLast().joined(separator: ", ") + " and " + kinds.last!
    }
}
