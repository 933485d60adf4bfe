/// A pattern compiled for ``PatternMatcher``: instructions of a Thompson automaton, run without backtracking.
struct PatternProgram: Sendable {
    /// One step of the automaton.
    enum Instruction: Sendable, Equatable {
        /// Read one scalar from `sets[index]`, then go on at the next instruction.
        case consume(Int)
        /// Go on at both instructions.
        case split(Int, Int)
        /// Go on at the instruction.
        case jump(Int)
        /// Go on at the next instruction if the position passes the test.
        case assert(PatternNode.Assertion)
        /// The pattern has matched.
        case accept
    }

    /// A compiled pattern has at most this many instructions. The matcher's time per scalar of text grows with it,
    /// so a repetition such as `(a{1000}){1000}` is refused instead of compiled.
    static let maximumSize = 20_000

    /// The instructions; the automaton starts at the first.
    private(set) var instructions: [Instruction] = []
    /// The scalar sets `consume` reads from.
    private(set) var sets: [ScalarSet] = []
    /// The pattern starts with `^`, so a match can only start at the start of the text.
    private(set) var anchoredAtStart = false

    /// The program for `node`, or `nil` when it would have more than ``maximumSize`` instructions.
    init?(_ node: PatternNode) {
        guard Self.size(of: node) < Self.maximumSize else { return nil }
        emit(node)
        instructions.append(.accept)
        anchoredAtStart = Self.startsWithAnchor(node)
    }

    /// The number of instructions `node` compiles to, saturating at ``maximumSize``.
    private static func size(of node: PatternNode) -> Int {
        let limit = maximumSize
        func capped(_ value: (partialValue: Int, overflow: Bool)) -> Int {
            value.overflow ? limit : min(value.partialValue, limit)
        }
        switch node {
        case .empty: return 0
        case .atom, .assertion: return 1
        case .sequence(let nodes): return nodes.reduce(0) { min($0 + size(of: $1), limit) }
        case .alternation(let branches):
            return branches.reduce(2 * (branches.count - 1)) { min($0 + size(of: $1), limit) }
        case .repetition(let body, let minimum, let maximum):
            let one = size(of: body)
            let required = capped(one.multipliedReportingOverflow(by: minimum))
            let optional =
                maximum.map { capped((one + 1).multipliedReportingOverflow(by: $0 - minimum)) } ?? one + 2
            return min(required + optional, limit)
        }
    }

    private static func startsWithAnchor(_ node: PatternNode) -> Bool {
        switch node {
        case .assertion(.start): return true
        case .sequence(let nodes): return nodes.first.map(startsWithAnchor) ?? false
        case .alternation(let branches): return branches.allSatisfy(startsWithAnchor)
        default: return false
        }
    }

    private mutating func emit(_ node: PatternNode) {
        switch node {
        case .empty: break
        case .atom(let set):
            let index = sets.firstIndex(of: set) ?? sets.count
            if index == sets.count { sets.append(set) }
            instructions.append(.consume(index))
        case .assertion(let assertion): instructions.append(.assert(assertion))
        case .sequence(let nodes):
            for child in nodes { emit(child) }
        case .alternation(let branches):
            var exits: [Int] = []
            for branch in branches.dropLast() {
                let split = placeholder()
                emit(branch)
                exits.append(placeholder())
                instructions[split] = .split(split + 1, instructions.count)
            }
            emit(branches.last!)
            for exit in exits { instructions[exit] = .jump(instructions.count) }
        case .repetition(let body, let minimum, let maximum):
            for _ in 0..<minimum { emit(body) }
            guard let maximum else {
                let loop = placeholder()
                emit(body)
                instructions.append(.jump(loop))
                instructions[loop] = .split(loop + 1, instructions.count)
                return
            }
            var splits: [Int] = []
            for _ in minimum..<maximum {
                splits.append(placeholder())
                emit(body)
            }
            for split in splits { instructions[split] = .split(split + 1, instructions.count) }
        }
    }

    private mutating func placeholder() -> Int {
        instructions.append(.accept)
        return instructions.count - 1
    }
}
