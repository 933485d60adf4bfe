/// The calculator tool's parser behind one narrow door, for the fuzz targets (`fuzz/`) and their regression
/// tests: an expression in, the value and the text the tool answers, or the message of its error.
package enum ArithmeticEvaluation {
    /// What evaluating one expression gave.
    package enum Outcome: Sendable, Hashable {
        /// A finite value, and the text the tool answers with.
        case value(Double, text: String)
        /// The parser's error message, which the tool answers as an error.
        case failure(String)
        /// An error of another kind than the parser's own: a bug.
        case unexpected(String)
    }

    /// Evaluates `expression` as ``CalculatorTool`` does.
    package static func evaluate(_ expression: String) -> Outcome {
        do {
            let value = try ArithmeticParser.evaluate(expression)
            return .value(value, text: ArithmeticParser.format(value))
        } catch let error as ArithmeticParser.Failure {
            return .failure(error.message)
        } catch {
            return .unexpected("\(type(of: error)): \(error)")
        }
    }
}
