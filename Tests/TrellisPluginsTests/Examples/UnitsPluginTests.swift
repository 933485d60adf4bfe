import Foundation
import Testing
import TrellisCore
import TrellisTesting

/// plugins/units (POSIX sh + awk): unit conversion, with errors that list the units the model may use.
struct UnitsPluginTests {
    private func convert(_ value: Double, _ from: String, _ to: String, callID: String = "call_1") async throws
        -> ToolOutput
    {
        try await ExamplePlugins.call(
            "units", "convert", ["value": .number(value), "from": .string(from), "to": .string(to)], callID: callID)
    }

    @Test(
        "converts within every dimension",
        arguments: [
            (1, "km", "mi", 0.621371192237334), (12, "in", "cm", 30.48), (3, "ft", "yd", 1), (1500, "mm", "m", 1.5),
            (1, "lb", "g", 453.59237), (16, "oz", "lb", 1), (2.5, "t", "kg", 2500), (1, "g", "mg", 1000),
            (100, "C", "F", 212), (-40, "F", "C", -40), (0, "C", "K", 273.15), (0, "K", "F", -459.67),
            (1, "gal", "l", 3.785411784), (1, "l", "ml", 1000), (1, "floz", "ml", 29.5735295625),
            (100, "km/h", "mph", 62.1371192237334), (1, "kn", "m/s", 0.514444444444444), (60, "mph", "km/h", 96.56064),
            (1, "GiB", "MB", 1073.741824), (1, "GB", "MiB", 953.67431640625), (2048, "KiB", "MiB", 2),
            (1, "KB", "B", 1000),
            (90, "min", "h", 1.5), (1, "d", "s", 86400), (1500, "ms", "s", 1.5),
        ])
    func conversions(value: Double, from: String, to: String, expected: Double) async throws {
        let result = try ExamplePlugins.json(try await convert(value, from, to))
        let converted = try #require(result["value"]?.doubleValue)
        #expect(abs(converted - expected) <= 1e-12 * max(1, abs(expected)), "\(value) \(from) → \(to)")
        #expect(result["unit"] == .string(to))
    }

    @Test("the reply carries the value, unit, dimension and a sentence")
    func replyShape() async throws {
        let output = try await convert(1, "km", "mi")
        let expected = """
            {"value": 0.621371192237334, "unit": "mi", "dimension": "length", "text": "1 km = 0.621371192237334 mi"}
            """
        try ExamplePlugins.expectJSON(output, expected)
    }

    @Test(
        "spelled-out names in any case, and short names in any case except data units",
        arguments: [
            ("Miles", "KM", "km"), ("celsius", "fahrenheit", "F"), ("kilograms", "LBS", "lb"), ("hours", "Min", "min"),
        ])
    func aliases(from: String, to: String, unit: String) async throws {
        let result = try ExamplePlugins.json(try await convert(1, from, to))
        #expect(result["unit"] == .string(unit))
    }

    @Test("units of different dimensions cannot be converted; the error lists the first unit's dimension")
    func incompatible() async throws {
        #expect(
            try await convert(1, "km", "kg")
                == .error("cannot convert km (length) to kg (mass). Known length units: mm cm m km in ft yd mi"))
        #expect(
            try await convert(1, "h", "MB")
                == .error("cannot convert h (time) to MB (data). Known time units: ms s min h d"))
    }

    @Test("an unknown unit: the error lists the known units of the other unit's dimension, or of all")
    func unknownUnit() async throws {
        #expect(
            try await convert(1, "km", "parsec")
                == .error("unknown unit 'parsec'. Known length units: mm cm m km in ft yd mi"))
        #expect(
            try await convert(1, "mb", "B")
                == .error("unknown unit 'mb'. Known data units: B KB MB GB TB KiB MiB GiB TiB"))
        #expect(
            try await convert(1, "furlong", "fortnight")
                == .error(
                    "unknown units 'furlong' and 'fortnight'. Known units: length units: mm cm m km in ft yd mi; "
                        + "mass units: mg g kg t oz lb; temperature units: C F K; volume units: ml l gal floz; "
                        + "speed units: m/s km/h mph kn; data units: B KB MB GB TB KiB MiB GiB TiB; "
                        + "time units: ms s min h d"))
    }

    @Test("temperatures below absolute zero and results out of range are errors")
    func outOfRange() async throws {
        #expect(try await convert(-300, "C", "K") == .error("-300 C is below absolute zero"))
        #expect(try await convert(-1, "K", "C") == .error("-1 K is below absolute zero"))
        #expect(try await convert(1e308, "km", "mm") == .error("the result is out of range"))
    }

    @Test("strings are escaped on the way out: quotes, backslashes, control characters, non-ASCII, the call id")
    func escaping() async throws {
        let output = try await convert(1, "km", "\"ü\\\n\t\u{1}", callID: #"call "7" \ x"#)
        #expect(output == .error("unknown unit '\"ü\\\n\t\u{1}'. Known length units: mm cm m km in ft yd mi"))
    }

    @Test("any valid JSON request is read: keys in any order, whitespace, escapes, nesting (run directly)")
    func robustParsing() async throws {
        let request = """
            {
              "context" : { "agent" : "a\\"b", "run_id" : "r", "workspace" : "/tmp", "extra" : [1, {"x": [null, true]}, "}"] },
              "arguments" : {"to" : "\\u006Di", "from" : "k\\u006d", "value" : 1e1 },
              "call_id" : "c\\n1",
              "tool" : "convert", "protocol" : 1
            }
            """
        let run = try await ChildProcess.run(ExamplePlugins.folder("units") + "/units.sh", stdin: request)
        #expect(run.status == 0)
        #expect(
            run.stdout == #"{"content":{"value":6.21371192237334,"unit":"mi","dimension":"length","#
                + #""text":"10 km = 6.21371192237334 mi"},"is_error":false,"call_id":"c\n1"}"# + "\n")
    }

    @Test("a request that is not JSON exits 2 with the cause on stderr (run directly)")
    func notJSON() async throws {
        let run = try await ChildProcess.run(
            ExamplePlugins.folder("units") + "/units.sh", stdin: #"{"protocol": 1, "tool": "convert","#)
        #expect(run.status == 2)
        #expect(run.stdout == "")
        #expect(run.stderr == "units: the request is not valid JSON: expected a string key at byte 36\n")
    }
}
