import TrellisPlugins

/// The calculator tool's parser.
///
/// The input is the expression as UTF-8, up to the 1,000 characters the tool's schema allows. Invariants: the
/// outcome is a finite value or the parser's own error with a message; the text the tool answers evaluates to
/// the same value.
enum CalculatorTarget {
    static let target = FuzzTarget(
        name: "calculator", summary: "ArithmeticParser: a finite value or a clear error; the answer re-evaluates alike"
    ) { bytes throws(InvariantFailure) in
        let expression = String(decoding: bytes, as: UTF8.self)
        guard expression.count <= 1000 else { return }
        switch ArithmeticEvaluation.evaluate(expression) {
        case .value(let value, let text):
            try require(value.isFinite, "'\(expression)' gave \(value)")
            guard case .value(let again, _) = ArithmeticEvaluation.evaluate(text) else {
                throw InvariantFailure("the answer '\(text)' of '\(expression)' does not evaluate")
            }
            try require(again == value, "the answer '\(text)' of '\(expression)' evaluates to \(again), not \(value)")
        case .failure(let message):
            try require(!message.isEmpty, "'\(expression)' failed without a message")
        case .unexpected(let error):
            throw InvariantFailure("'\(expression)' threw \(error), not the parser's error")
        }
    }
}
