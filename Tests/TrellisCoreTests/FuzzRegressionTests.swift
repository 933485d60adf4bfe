import Testing
import TrellisCore
import TrellisTesting

/// Inputs the `schema` fuzz target (`fuzz/`) broke an invariant with, replayed through the same entry points.
@Suite struct FuzzRegressionTests {
    /// `1e400` was read as infinity, which serialises as `null`: a value that did not survive a round trip.
    @Test func numbersBeyondDoubleAreRefused() throws {
        let input = try FuzzRegression.bytes("schema", "number-out-of-range")
        for part in input.split(separator: 0) {
            let error = try #require(throws: JSONParseError.self) { try JSONValue.parse(bytes: part) }
            #expect(error.message == "number out of range")
        }
        #expect(try JSONValue.parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
        #expect(try JSONValue.parse("1e-400") == .number(0))
    }
}
