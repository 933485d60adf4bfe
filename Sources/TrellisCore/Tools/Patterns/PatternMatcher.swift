/// Runs a ``PatternProgram`` over a text as Pike's VM does: every live state of the automaton advances together,
/// one scalar at a time, so the time is at most the text's length times the program's size, whatever the pattern.
struct PatternMatcher {
    private let program: PatternProgram
    /// Per instruction, the step at which it last joined a list: the list holds each instruction once.
    private var marks: [Int]
    private var stack: [Int] = []
    /// Instructions visited so far, checked against the budget.
    private(set) var work = 0

    init(_ program: PatternProgram) {
        self.program = program
        self.marks = Array(repeating: -1, count: program.instructions.count)
    }

    /// Whether some part of `text` matches (as ECMAScript's `test` decides); `nil` when deciding would visit more
    /// than `budget` instructions.
    mutating func search(_ text: String.UnicodeScalarView, budget: Int) -> Bool? {
        var current: [Int] = []
        var next: [Int] = []
        var iterator = text.makeIterator()
        var scalar = iterator.next()
        var step = 0
        if follow(from: 0, into: &current, step: step, previous: nil, next: scalar) { return true }
        while let read = scalar {
            let following = iterator.next()
            step += 1
            next.removeAll(keepingCapacity: true)
            for index in current {
                guard case .consume(let set) = program.instructions[index], program.sets[set].contains(read) else {
                    continue
                }
                if follow(from: index + 1, into: &next, step: step, previous: read, next: following) { return true }
            }
            if !program.anchoredAtStart,
                follow(from: 0, into: &next, step: step, previous: read, next: following)
            {
                return true
            }
            if work > budget { return nil }
            if next.isEmpty, program.anchoredAtStart { return false }
            swap(&current, &next)
            scalar = following
        }
        return false
    }

    /// Adds to `list` every `consume` reachable from `start` without reading; `true` when `accept` is reachable.
    private mutating func follow(
        from start: Int, into list: inout [Int], step: Int, previous: Unicode.Scalar?, next: Unicode.Scalar?
    ) -> Bool {
        stack.append(start)
        while let index = stack.popLast() {
            guard marks[index] != step else { continue }
            marks[index] = step
            work += 1
            switch program.instructions[index] {
            case .consume: list.append(index)
            case .accept:
                stack.removeAll(keepingCapacity: true)
                return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assert(let assertion):
                if Self.holds(assertion, previous: previous, next: next) { stack.append(index + 1) }
            }
        }
        return false
    }

    private static func holds(_ assertion: PatternNode.Assertion, previous: Unicode.Scalar?, next: Unicode.Scalar?)
        -> Bool
    {
        switch assertion {
        case .start: return previous == nil
        case .end: return next == nil
        case .wordBoundary, .notWordBoundary:
            let boundary = (previous.map(ScalarSet.isWord) ?? false) != (next.map(ScalarSet.isWord) ?? false)
            return boundary == (assertion == .wordBoundary)
        }
    }
}
