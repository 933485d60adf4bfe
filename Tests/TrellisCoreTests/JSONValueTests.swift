import Testing
import TrellisCore

/// `JSONValue` parses and serialises JSON text faithfully.
struct JSONValueTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }

    private func parseError(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "compact text survives a round trip byte for byte",
        arguments: [
            #"{"z":1,"a":[true,false,null],"m":{"y":"x","b":2.5},"":{}}"#,
            #"[]"#,
            #"[-0.5,1.5e+300,123456789012,"",[[]]]"#,
            #""plain""#,
            #"{"é":"ünïcödé","😀":"日本語"}"#,
        ])
    func roundTrip(text: String) throws {
        #expect(try parse(text).serialized() == text)
    }

    @Test("object keys keep the order they were written in")
    func keyOrder() throws {
        let value = try parse(#"{"zebra":1,"apple":2,"mango":3}"#)
        #expect(value.objectValue?.keys == ["zebra", "apple", "mango"])
        #expect(value.serialized() == #"{"zebra":1,"apple":2,"mango":3}"#)
    }

    @Test("sortedKeys writes keys in sorted order at every level")
    func sortedKeys() throws {
        let value = try parse(#"{"b":1,"a":{"d":[{"y":1,"x":2}],"c":3}}"#)
        #expect(value.serialized(sortedKeys: true) == #"{"a":{"c":3,"d":[{"x":2,"y":1}]},"b":1}"#)
        #expect(value.serialized() == #"{"b":1,"a":{"d":[{"y":1,"x":2}],"c":3}}"#)
    }

    @Test("equality ignores key order")
    func equalityIgnoresOrder() throws {
        #expect(try parse(#"{"a":1,"b":[2]}"#) == parse(#"{ "b" : [2], "a" : 1 }"#))
        #expect(try parse(#"{"a":1}"#) != parse(#"{"a":2}"#))
    }

    @Test("whitespace between tokens is ignored")
    func whitespace() throws {
        #expect(try parse(" \n\t{ \"a\" :\r\n [ 1 , 2 ] } \n") == ["a": [1, 2]])
    }

    @Test("escapes are decoded")
    func escapesDecoded() throws {
        let value = try parse(#""quote\" back\\ slash\/ nl\n cr\r tab\t bs\b ff\f""#)
        #expect(value == .string("quote\" back\\ slash/ nl\n cr\r tab\t bs\u{08} ff\u{0C}"))
    }

    @Test("strings are escaped on output; '/' and non-ASCII are written as is")
    func escapesEncoded() throws {
        let value = JSONValue.string("a\"b\\c\nd\re\tf\u{08}g\u{0C}h\u{01}i\u{1F}/é😀")
        #expect(value.serialized() == #""a\"b\\c\nd\re\tf\bg\fh\u0001i\u001f/é😀""#)
        #expect(try JSONValue.parse(value.serialized()) == value)
    }

    @Test("\\u escapes, including surrogate pairs, become characters")
    func unicodeEscapes() throws {
        #expect(try parse(#""\u00e9\u00C9""#) == "éÉ")
        #expect(try parse(#""\u65e5\u672c""#) == "日本")
        #expect(try parse(#""\ud83d\ude00""#) == "😀")
        #expect(try parse(#""x\uD834\uDD1Ey""#) == "x𝄞y")
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test("a lone surrogate becomes U+FFFD")
    func loneSurrogates() throws {
        #expect(try parse(#""\ud83d""#) == "\u{FFFD}")
        #expect(try parse(#""a\ude00b""#) == "a\u{FFFD}b")
        #expect(try parse(#""\ud83dx""#) == "\u{FFFD}x")
    }

    @Test("a high surrogate followed by another escape keeps that escape's character")
    func highSurrogateBeforeOtherEscape() throws {
        // Like WHATWG decoders: U+FFFD for the unpaired surrogate, then the "A" of the next escape.
        #expect(try parse(#""\ud83d\u0041""#) == "\u{FFFD}A")
        #expect(try parse(#""\ud83d\ud83d\ude00""#) == "\u{FFFD}\u{1F600}")
    }

    @Test("integers stay integers, other numbers are doubles")
    func numbers() throws {
        #expect(try parse("42") == .integer(42))
        #expect(try parse("-7") == .integer(-7))
        #expect(try parse("0") == .integer(0))
        #expect(try parse("1.0") == .number(1.0))
        #expect(try parse("2.5") == .number(2.5))
        #expect(try parse("1e2") == .number(100))
        #expect(try parse("-1.5E-3") == .number(-0.0015))
        #expect(try parse("9223372036854775807") == .integer(Int.max))
        #expect(try parse("9223372036854775808") == .number(9.223372036854775808e18))
        #expect(try parse("[1, 1.0]").serialized() == "[1,1]")
        #expect(JSONValue.number(0.1).serialized() == "0.1")
        #expect(try parse(JSONValue.number(1e15).serialized()) == .number(1e15))
        #expect(JSONValue.number(.nan).serialized() == "null")
    }

    @Test("literals and accessors")
    func literals() throws {
        let value = try parse(#"{"t":true,"f":false,"n":null,"s":"26","i":3,"d":3.0,"x":3.5}"#)
        #expect(value["t"]?.boolValue == true)
        #expect(value["f"]?.boolValue == false)
        #expect(value["n"]?.isNull == true)
        #expect(value["s"]?.intValue == 26)
        #expect(value["d"]?.intValue == 3)
        #expect(value["x"]?.intValue == nil)
        #expect(value["i"]?.doubleValue == 3)
        #expect(value["d"]?.typeName == "integer")
        #expect(value["x"]?.typeName == "number")
        #expect(value["missing"] == nil)
    }

    @Test(
        "errors name the byte offset of the problem",
        arguments: [
            (#"{"a":1,}"#, 7, "expected a string key"),
            ("[1,2", 4, "unexpected end of input"),
            (#""abc"#, 4, "unterminated string"),
            ("1 x", 2, "unexpected text after the JSON value"),
            ("01", 1, "unexpected text after the JSON value"),
            (#"{"a" 1}"#, 5, "expected ':'"),
            ("[1 2]", 3, "expected ',' or ']'"),
            ("tru", 0, "unexpected end of input"),
            ("nul!", 0, "invalid literal"),
            (#""é" x"#, 5, "unexpected text after the JSON value"),
            (#""\u12G4""#, 5, "invalid hex digit"),
            ("\"tab\there\"", 4, "control character in string"),
            ("-", 1, "invalid number"),
            ("1.", 2, "digits expected after '.'"),
            ("1e+", 3, "digits expected in exponent"),
            ("", 0, "unexpected end of input"),
            ("@", 0, "unexpected character '@'"),
        ])
    func errorOffsets(text: String, offset: Int, message: String) throws {
        let error = try #require(parseError(text))
        #expect(error.offset == offset)
        #expect(error.message.contains(message))
        #expect(error.description.hasSuffix("at byte \(offset)"))
    }

    @Test("an invalid escape is an error near the backslash")
    func invalidEscape() throws {
        let error = try #require(parseError(#""bad \q""#))
        #expect(error.message == "invalid escape in string")
        #expect((5...7).contains(error.offset))
    }

    @Test("deep nesting is refused instead of crashing")
    func nestingLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let error = try #require(parseError(deep))
        #expect(error.message.contains("nesting deeper than 512"))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(parseError(fine) == nil)
    }

    @Test("parsing bytes gives the same value as parsing text")
    func parseBytes() throws {
        let text = #"{"k":["v",1]}"#
        #expect(try JSONValue.parse(bytes: Array(text.utf8)) == parse(text))
    }

    @Test("pretty output indents by two spaces and keeps key order")
    func pretty() throws {
        let value = try parse(#"{"b":[1,{}],"a":[]}"#)
        #expect(value.serialized(pretty: true) == "{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": []\n}")
    }

    @Test("JSONObject keeps the first position of a repeated key and its last value; nil removes")
    func objectMutation() {
        var object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
        object["a"] = nil
        #expect(object.keys == ["b"])
        #expect(JSONValue.object(object).serialized() == #"{"b":2}"#)
    }
}
