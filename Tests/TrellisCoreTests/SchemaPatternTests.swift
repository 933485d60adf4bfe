import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// `SchemaPattern` reads ECMAScript patterns, matches them anywhere in a string without backtracking, and names
/// the place and the reason when it cannot.
@Suite struct SchemaPatternTests {
    private func matches(_ pattern: String, _ text: String) throws -> Bool? {
        try SchemaPattern(pattern).matches(text)
    }

    @Test(
        "what JSON Schema's patterns use matches as ECMAScript does",
        arguments: [
            ("abc", "xxabcxx", true), ("abc", "ab", false), ("^abc$", "abc", true), ("^abc$", "abcd", false),
            ("^$", "", true), ("", "anything", true), ("a|b|c", "zzc", true), ("^(ab|cd)+$", "abcdab", true),
            ("^(ab|cd)+$", "abca", false), ("^a{3}$", "aaa", true), ("^a{3}$", "aaaa", false),
            ("^a{2,}$", "a", false), ("^a{2,}$", "aaaaa", true), ("^a{1,2}b$", "aab", true),
            ("^a{1,2}b$", "aaab", false),
            ("^a{0}b$", "b", true), ("^a??b+?$", "abb", true), ("colou?r", "color", true), ("^.$", "\n", false),
            ("^.$", "é", true), ("^[a-c]+$", "abcab", true), ("^[a-c]+$", "abd", false), ("^[^a-c]+$", "xyz", true),
            ("^[^a-c]+$", "xaz", false), ("^[-a]+$", "-a-", true), ("^[a-]+$", "a--", true), ("^[\\d.]+$", "1.5", true),
            ("^\\d+$", "123", true), ("^\\d+$", "12a", false), ("^\\w+$", "snake_case9", true), ("^\\w$", "ж", false),
            ("^\\s+$", " \t\u{00A0}\u{3000}", true), ("^\\S+$", "a b", false), ("^\\D\\W$", "a-", true),
            ("\\bcat\\b", "a cat sat", true), ("\\bcat\\b", "concatenate", false), ("\\Bcat\\B", "concatenate", true),
            ("^\\$\\d+\\.\\d{2}$", "$10.50", true), ("^\\x41\\u0042\\u{43}$", "ABC", true),
            ("^\\uD83D\\uDE00$", "😀", true), ("^[\\u0400-\\u04FF]+$", "Привет", true), ("^[а-я]+$", "привет", true),
            ("^[а-я]+$", "Привет", false), ("^\\p{Lu}\\p{Ll}+$", "Москва", true), ("^\\p{L}+$", "日本語", true),
            ("^\\P{N}+$", "abc", true), ("^\\P{N}+$", "a1", false), ("^\\p{gc=Nd}$", "٣", true),
            ("^(?:a|b)(?<second>c)$", "ac", true), ("^a{,2}$", "a{,2}", true), ("^x{$", "x{", true),
            ("^]$", "]", true), ("^\\t\\n$", "\t\n", true), ("^\\cJ$", "\n", true), ("^\\0$", "\u{0}", true),
            ("^[\\b]$", "\u{08}", true), ("^\\/\\-\\q$", "/-q", true), ("^(a*)*$", "aaaa", true),
            ("^(|a)+$", "aa", true),
            ("^(?:a*)*b$", "aaab", true), ("[]", "a", false), ("^[^]$", "\n", true),
            ("^[0-9]{3}-[0-9]{4}$", "555-1234", true), ("^[A-Za-z0-9_-]{1,64}$", "my-tool_1", true),
        ])
    func matchesAsECMAScript(pattern: String, text: String, expected: Bool) throws {
        #expect(try matches(pattern, text) == expected, "\(pattern) on \(text.debugDescription)")
    }

    /// The patterns on which Swift's own engine agrees with ECMAScript: the same answer for every text.
    @Test("agrees with Swift Regex on patterns both read the same way")
    func agreesWithSwiftRegex() throws {
        let patterns = [
            "^a(b|c)*d$", "[0-9]+(\\.[0-9]+)?", "^(foo|bar)baz", "x{2,3}y", "^[^,]*,[^,]*$", "(ab)+c", "\\d{2}-\\d{2}",
            "^https?://[a-z.]+/", "a.c", "^\\w+@\\w+\\.com$", "(a|ab)(c|bcd)(d*)", "^$|^x",
        ]
        let texts = [
            "", "ad", "abcbcd", "abd", "3.14", "3.", "foobaz", "barbaz", "bazfoo", "xxy", "xxxxy", "xy", "a,b",
            "a,b,c", "ababc", "12-34", "1-2", "https://a.b/", "http:/x", "abc", "a\nc", "me@site.com", "abcd", "x",
        ]
        for pattern in patterns {
            let regex = try Regex(pattern)
            for text in texts {
                let expected = try regex.firstMatch(in: text) != nil
                #expect(try matches(pattern, text) == expected, "\(pattern) on \(text.debugDescription)")
            }
        }
    }

    /// A backtracking engine takes exponential time on these: 30 characters took Swift Regex over a minute.
    @Test(
        "nested quantifiers take linear time",
        arguments: [
            "(a+)+$", "^(a|a)*$", "^(a*)*b$", "(.*a){20}$", "^(\\w+\\s?)*$",
            "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@)",
        ])
    func nestedQuantifiers(pattern: String) throws {
        let text = String(repeating: "a", count: 2_000) + "!"
        let compiled = try SchemaPattern(pattern)
        #expect(compiled.matches(text) != nil)
        #expect(compiled.matches(String(repeating: "a", count: 30) + "!") != nil)
    }

    @Test("the fuzzer's reproducer is decided, and rejected")
    func fuzzReproducer() throws {
        let parts = try FuzzRegression.bytes("schema", "redos-nested-quantifier").split(separator: 0)
        let schema = try JSONValue.parse(bytes: parts[0])
        let value = try JSONValue.parse(bytes: parts[1])
        #expect(JSONSchemaValidator(schema: schema).violations(of: value) == ["$: does not match pattern (a+)+$"])
    }

    @Test(
        "a pattern that is not a regular expression names the place",
        arguments: [
            ("(a", "pattern '(a' at character 1: a group is not closed"),
            ("a)", "pattern 'a)' at character 2: a ')' closes no group"),
            ("a{3,1}", "pattern 'a{3,1}' at character 2: the repetition {3,1} has its bounds out of order"),
            ("ab\\", "pattern 'ab\\' at character 3: a '\\' ends the pattern"),
            ("*a", "pattern '*a' at character 1: '*' has nothing to repeat"),
            ("a**", "pattern 'a**' at character 3: '*' has nothing to repeat"),
            ("{2}", "pattern '{2}' at character 1: '{' has nothing to repeat"),
            ("^*", "pattern '^*' at character 1: an assertion cannot be repeated"),
            ("[z-a]", "pattern '[z-a]' at character 3: the range z-a is out of order"),
            ("[abc", "pattern '[abc' at character 1: a '[' is not closed with ']'"),
            ("(?x)", "pattern '(?x)' at character 1: '(?' starts no known kind of group"),
        ])
    func invalid(pattern: String, message: String) {
        let error = #expect(throws: SchemaPatternError.self) { try SchemaPattern(pattern) }
        #expect(error?.kind == .invalid)
        #expect(error?.description == message)
    }

    @Test(
        "what needs backtracking is refused as unsupported, with the reason",
        arguments: [
            ("(a)\\1", "pattern '(a)\\1' at character 4: backreferences (\\1) need backtracking"),
            ("(?<x>a)\\k<x>", "pattern '(?<x>a)\\k<x>' at character 8: backreferences (\\k<…>) need backtracking"),
            ("a(?=b)", "pattern 'a(?=b)' at character 2: lookahead needs backtracking"),
            ("(?<!a)b", "pattern '(?<!a)b' at character 1: lookbehind needs backtracking"),
            (
                "\\p{Script=Greek}",
                "pattern '\\p{Script=Greek}' at character 1: the property \\p{Script=Greek} (only general categories are checked)"
            ),
            ("(a{1000}){1000}", "pattern '(a{1000}){1000}' at character 1: its repetitions expand past 20000 states"),
        ])
    func unsupported(pattern: String, message: String) {
        let error = #expect(throws: SchemaPatternError.self) { try SchemaPattern(pattern) }
        #expect(error?.kind == .unsupported)
        #expect(error?.description == message)
    }

    @Test("groups nested past the limit are refused, not recursed into")
    func deepNesting() {
        let deep = String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000)
        let error = #expect(throws: SchemaPatternError.self) { try SchemaPattern(deep) }
        #expect(error?.kind == .unsupported)
        #expect(error?.reason == "groups nested deeper than 100 levels")
    }

    @Test("a check past its budget is undecided, and the validator says so")
    func budget() throws {
        let pattern = try SchemaPattern("^(a|b|c){1,2000}$")
        let text = String(repeating: "a", count: 5000)
        #expect(pattern.matches(text, budget: 1000) == nil)
        #expect(pattern.matches(text) == false)
        let schema: JSONValue = ["type": "string", "pattern": "(x|y|z|\\w){1,1500}!"]
        let long = JSONValue.string(String(repeating: "w", count: 200_000))
        #expect(
            JSONSchemaValidator(schema: schema, patternBudget: 100_000).violations(of: long) == [
                "$: is too long (200000 characters) to check against pattern (x|y|z|\\w){1,1500}!"
            ])
    }

    @Test("the validator names every pattern it cannot check, and skips them")
    func unusablePatterns() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "code": ["type": "string", "pattern": "(a)\\1"],
                "tags": ["type": "array", "items": ["type": "string", "pattern": "[a"]],
                "name": ["type": "string", "pattern": "^[a-z]+$"],
            ],
        ]
        #expect(
            JSONSchemaValidator.unusablePatterns(in: schema).map(\.description) == [
                "$.properties.code.pattern: pattern '(a)\\1' at character 4: backreferences (\\1) need backtracking",
                "$.properties.tags.items.pattern: pattern '[a' at character 1: a '[' is not closed with ']'",
            ])
        #expect(JSONSchemaValidator(schema: schema).violations(of: ["code": "zz", "tags": ["q"], "name": "ok"]) == [])
        #expect(
            JSONSchemaValidator(schema: schema).violations(of: ["name": "Not OK"]) == [
                "$.name: does not match pattern ^[a-z]+$"
            ])
    }
}
