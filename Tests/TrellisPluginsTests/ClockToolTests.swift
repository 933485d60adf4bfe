import Foundation
import Testing
import TrellisCore
import TrellisPlugins

/// `clock` reports a fixed instant in the asked time zone.
struct ClockToolTests {
    /// 2023-11-14T22:13:20Z, a Tuesday.
    static let instant = Date(timeIntervalSince1970: 1_700_000_000)
    let clock = ClockTool(now: { ClockToolTests.instant })

    private func reading(_ arguments: String) async throws -> JSONValue {
        let output = try await clock.call(arguments)
        #expect(!output.isError, "\(output.content)")
        return try JSONValue.parse(output.content)
    }

    @Test("defaults to UTC")
    func utcByDefault() async throws {
        let value = try await reading("{}")
        #expect(value["datetime"] == "2023-11-14T22:13:20Z")
        #expect(value["weekday"] == "Tuesday")
        #expect(value["unix"] == 1_700_000_000)
        #expect(value.objectValue?.keys == ["datetime", "timezone", "weekday", "unix"])
    }

    @Test("reports the zone by the name it was asked for, UTC included")
    func zoneNameEchoed() async throws {
        let explicit = try await reading(#"{"timezone":"UTC"}"#)
        #expect(explicit["datetime"] == "2023-11-14T22:13:20Z")
        let implicit = try await reading("{}")
        // Foundation canonicalises "UTC" to "GMT"; the tool must answer with the name it was given.
        #expect(explicit["timezone"] == "UTC")
        #expect(implicit["timezone"] == "UTC")
    }

    @Test(
        "converts to an IANA time zone",
        arguments: [
            ("Asia/Tokyo", "2023-11-15T07:13:20+09:00", "Wednesday"),
            ("America/New_York", "2023-11-14T17:13:20-05:00", "Tuesday"),
            ("Asia/Kolkata", "2023-11-15T03:43:20+05:30", "Wednesday"),
            ("Europe/Moscow", "2023-11-15T01:13:20+03:00", "Wednesday"),
        ])
    func timeZones(zone: String, datetime: String, weekday: String) async throws {
        let value = try await reading(#"{"timezone":"\#(zone)"}"#)
        #expect(value["datetime"] == .string(datetime))
        #expect(value["timezone"] == .string(zone))
        #expect(value["weekday"] == .string(weekday))
        #expect(value["unix"] == 1_700_000_000)
    }

    @Test("an unknown zone is an error naming it", arguments: ["Mars/Olympus_Mons", "Not a zone"])
    func unknownZone(zone: String) async throws {
        let output = try await clock.call(#"{"timezone":"\#(zone)"}"#)
        #expect(output.isError)
        #expect(output.content == "unknown time zone '\(zone)'; use an IANA name such as Europe/Moscow or UTC")
    }

    @Test("the schema accepts only a timezone string")
    func schema() {
        let validator = JSONSchemaValidator(schema: clock.definition.parameters)
        #expect(clock.definition.name == "clock")
        #expect(validator.violations(of: [:]).isEmpty)
        #expect(!validator.violations(of: ["timezone": 9]).isEmpty)
        #expect(!validator.violations(of: ["zone": "UTC"]).isEmpty)
    }
}
