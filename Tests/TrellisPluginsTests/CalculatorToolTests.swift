import Testing
import TrellisCore
import TrellisPlugins

/// `calculator` parses arithmetic; anything else is an error, never evaluated as code.
struct CalculatorToolTests {
    let calculator = CalculatorTool()

    private func evaluate(_ expression: String) async throws -> ToolOutput {
        try await calculator.execute(arguments: ["expression": .string(expression)], context: testContext)
    }

    @Test(
        "evaluates with the usual precedence",
        arguments: [
            ("1 + 2 * 3", "7"),
            ("(1 + 2) * 3", "9"),
            ("10 - 4 - 3", "3"),
            ("100 / 10 / 5", "2"),
            ("10 / 4", "2.5"),
            ("7 % 3", "1"),
            ("2 * 3 ^ 2", "18"),
            ("2 ^ 3 ^ 2", "512"),
            ("-2 ^ 2", "-4"),
            ("2 ^ -1", "0.5"),
            ("-3 + 5", "2"),
            ("--3", "3"),
            ("+4 * -2", "-8"),
            ("6 × 7 ÷ 2", "21"),
            ("1e3 + 2.5E-1", "1000.25"),
            (".5 * 4", "2"),
            ("  ( ( 42 ) )  ", "42"),
        ])
    func arithmetic(expression: String, expected: String) async throws {
        #expect(try await evaluate(expression) == ToolOutput(expected))
    }

    @Test(
        "knows its constants and functions",
        arguments: [
            ("sqrt(16) + abs(-3)", "7"),
            ("max(1, 5, 3) - min(4, 2)", "3"),
            ("pow(2, 10)", "1024"),
            ("floor(2.7) + ceil(2.1)", "5"),
            ("round(2.5)", "3"),
            ("round(-2.5)", "-3"),
            ("ln(e)", "1"),
            ("log2(8)", "3"),
            ("exp(0)", "1"),
            ("cos(0) + sin(0)", "1"),
            ("SQRT(9)", "3"),
            ("2 * pi", "6.283185307179586"),
            ("e", "2.718281828459045"),
        ])
    func functions(expression: String, expected: String) async throws {
        #expect(try await evaluate(expression) == ToolOutput(expected))
    }

    @Test(
        "bad input is an error result naming the problem",
        arguments: [
            ("1 / 0", "division by zero"),
            ("5 % 0", "division by zero"),
            ("import os", "unknown name 'import'"),
            ("__import__('os').system('ls')", "unexpected '_' at position 1"),
            ("os.system(\"rm -rf /\")", "unknown name 'os'"),
            ("exec(1)", "unknown function 'exec'"),
            ("2 +", "the expression ends too early"),
            ("(1 + 2", "missing ')'"),
            ("max(1, 2", "missing ')' after arguments of max"),
            ("1 2", "unexpected '2' at position 3"),
            ("2 ** 3", "unexpected '*' at position 4"),
            ("sqrt(-1)", "square root of a negative number"),
            ("ln(0)", "logarithm of a non-positive number"),
            ("sqrt(1, 2)", "sqrt takes one argument"),
            ("pow(2)", "pow takes two arguments"),
            ("10 ^ 400", "the result is not a finite number"),
            ("1.2.3", "invalid number '1.2.3'"),
            ("", "the expression ends too early"),
        ])
    func errors(expression: String, problem: String) async throws {
        let output = try await evaluate(expression)
        #expect(output.isError)
        #expect(output.content == "cannot evaluate '\(expression)': \(problem)")
    }

    @Test("the schema asks for one non-empty expression and nothing else")
    func schema() {
        let validator = JSONSchemaValidator(schema: calculator.definition.parameters)
        #expect(calculator.definition.name == "calculator")
        #expect(validator.violations(of: ["expression": "1+1"]).isEmpty)
        #expect(validator.violations(of: [:]) == ["$: missing required property 'expression'"])
        #expect(!validator.violations(of: ["expression": ""]).isEmpty)
        #expect(!validator.violations(of: ["expression": 5]).isEmpty)
        #expect(!validator.violations(of: ["expression": "1", "code": "import os"]).isEmpty)
    }
}
