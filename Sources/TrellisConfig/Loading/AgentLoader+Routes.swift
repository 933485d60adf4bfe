import TrellisCore
import Yams

extension AgentLoader {
    /// Where the parts of `routes:` were written, for the workspace's checks (unknown agents, cycles, a `fewshot`
    /// classifier on a provider that cannot classify).
    struct RoutePlaces: Sendable {
        /// Per label, the place of its agent's name.
        var targets: [String: DefinitionError] = [:]
        /// The place of `fallback:`.
        var fallback: DefinitionError?
        /// Per classifier of the chain, its place.
        var classifiers: [DefinitionError] = []
    }

    /// `routes:`: `classifier` (a kind, `{kind, threshold, model}`, or a list of them tried in order),
    /// `threshold` (0 to 1), `to` (`label: agent` or `label: {agent, description, examples, keywords}`) and
    /// `fallback` (`self` or an agent).
    func readRoutes(_ node: Node, problems: inout [DefinitionError]) throws(DefinitionError) -> (
        RouteTable, RoutePlaces
    ) {
        let members = try reader.mapping(
            node, allowed: ["classifier", "threshold", "to", "fallback"], what: "'routes'", problems: &problems)
        var table = RouteTable(classifiers: [], routes: [])
        var places = RoutePlaces()
        var wroteClassifier = false
        var wroteTo = false
        for member in members {
            do throws(DefinitionError) {
                switch member.key {
                case "classifier":
                    wroteClassifier = true
                    let entries: [Node] =
                        if case .sequence(let list) = member.value { Array(list) } else { [member.value] }
                    guard !entries.isEmpty else {
                        throw reader.error(at: member.value, "'routes.classifier' is an empty list")
                    }
                    for entry in entries {
                        do throws(DefinitionError) {
                            table.classifiers.append(try readClassifier(entry, problems: &problems))
                            places.classifiers.append(reader.error(at: entry, ""))
                        } catch {
                            problems.append(error)
                        }
                    }
                case "threshold":
                    table.threshold = try reader.double(
                        member.value, field: "routes.threshold", in: ConfigLimits.routeThreshold)
                case "to":
                    wroteTo = true
                    let labels = try reader.mapping(member.value, allowed: [], what: "'routes.to'")
                    guard !labels.isEmpty else {
                        throw reader.error(
                            at: member.value, "'routes.to' is empty; give each label an agent: {billing: billing}")
                    }
                    for label in labels {
                        do throws(DefinitionError) {
                            let (route, place) = try readRoute(label, problems: &problems)
                            table.routes.append(route)
                            places.targets[route.label] = place
                        } catch {
                            problems.append(error)
                        }
                    }
                case "fallback":
                    let name = try reader.string(member.value, field: "routes.fallback")
                    table.fallback = name == "self" ? .stay : .agent(name)
                    places.fallback = reader.error(at: member.value, "")
                default: break
                }
            } catch {
                problems.append(error)
            }
        }
        if !wroteClassifier {
            problems.append(
                reader.error(at: node, "'routes' needs 'classifier' (one of \(Self.classifierKinds), or a list)"))
        }
        if !wroteTo { problems.append(reader.error(at: node, "'routes' needs 'to' (label: agent, ...)")) }
        return (table, places)
    }

    private static var classifierKinds: String { ClassifierKind.allCases.map(\.rawValue).joined(separator: ", ") }

    private func readClassifier(_ node: Node, problems: inout [DefinitionError]) throws(DefinitionError)
        -> ClassifierSpec
    {
        if case .scalar = node { return ClassifierSpec(kind: try kind(node)) }
        let members = try reader.mapping(
            node, allowed: ["kind", "threshold", "model"], what: "a classifier", problems: &problems)
        guard let kindMember = members.first(where: { $0.key == "kind" }) else {
            throw reader.error(at: node, "a classifier needs 'kind' (one of \(Self.classifierKinds))")
        }
        var spec = ClassifierSpec(kind: try kind(kindMember.value))
        for member in members where member.key != "kind" {
            do throws(DefinitionError) {
                if member.key == "threshold" {
                    spec.threshold = try reader.double(
                        member.value, field: "routes.classifier.threshold", in: ConfigLimits.routeThreshold)
                } else {
                    let text = try reader.string(member.value, field: "routes.classifier.model")
                    spec.model = try Self.parseShorthand(text, shown: reader.shown(text, of: member.value)) {
                        message throws(DefinitionError) in
                        throw reader.error(at: member.value, "'routes.classifier.model': \(message)")
                    }
                }
            } catch {
                problems.append(error)
            }
        }
        if spec.kind == .keyword, spec.model != nil {
            problems.append(reader.error(at: node, "a keyword classifier calls no model; remove 'model'"))
        }
        return spec
    }

    private func kind(_ node: Node) throws(DefinitionError) -> ClassifierKind {
        let text = try reader.string(node, field: "routes.classifier")
        guard let kind = ClassifierKind(rawValue: text) else {
            let kinds = ClassifierKind.allCases.map(\.rawValue)
            throw reader.error(
                at: node,
                "unknown classifier kind \(reader.shown(text, of: node))\(Suggestions.hint(for: text, in: kinds)); "
                    + "kinds: \(Self.classifierKinds)")
        }
        return kind
    }

    private func readRoute(_ member: YAMLReader.Member, problems: inout [DefinitionError]) throws(DefinitionError)
        -> (Route, DefinitionError)
    {
        let label = member.key
        guard Self.isValidName(label) else {
            throw reader.error(at: member.keyNode, "route labels may hold letters, digits, '-', '_' and '.'")
        }
        if case .scalar = member.value {
            let agent = try reader.string(member.value, field: "routes.to.\(label)")
            return (Route(label: label, agent: agent), reader.error(at: member.value, ""))
        }
        let fields = try reader.mapping(
            member.value, allowed: ["agent", "description", "examples", "keywords"], what: "route '\(label)'",
            problems: &problems)
        var route = Route(label: label, agent: "")
        var place: DefinitionError?
        for field in fields {
            do throws(DefinitionError) {
                let name = "routes.to.\(label).\(field.key)"
                switch field.key {
                case "agent":
                    route.agent = try reader.string(field.value, field: name)
                    place = reader.error(at: field.value, "")
                case "description": route.description = try reader.string(field.value, field: name)
                case "examples": route.examples = try reader.stringList(field.value, field: name)
                default:
                    route.keywords = try reader.stringList(field.value, field: name)
                    for (index, keyword) in route.keywords.enumerated() {
                        guard let problem = KeywordClassifier.problem(with: keyword) else { continue }
                        let at: Node = if case .sequence(let list) = field.value { list[index] } else { field.value }
                        problems.append(reader.error(at: at, "keyword '\(keyword)' of route '\(label)': \(problem)"))
                    }
                }
            } catch {
                problems.append(error)
            }
        }
        guard let place else { throw reader.error(at: member.value, "route '\(label)' needs 'agent'") }
        return (route, place)
    }
}
