import Foundation
import TrellisCore

/// `clock`: the current date and time, in UTC or an IANA time zone.
public struct ClockTool: ToolExecutor {
    /// Returns the current instant; tests may fix it.
    let now: @Sendable () -> Date

    /// Creates the tool.
    public init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }

    public let definition = ToolDefinition(
        name: "clock",
        description:
            "Current date and time. Give an IANA time zone such as Europe/Moscow for local time (default UTC).",
        parameters: [
            "type": "object",
            "properties": [
                "timezone": ["type": "string", "description": "IANA time zone, e.g. America/New_York. Default UTC."]
            ],
            "additionalProperties": false,
        ], idempotent: true)

    public func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let name = arguments["timezone"]?.stringValue ?? "UTC"
        guard let zone = TimeZone(identifier: name) else {
            return .error("unknown time zone '\(name)'; use an IANA name such as Europe/Moscow or UTC")
        }
        let date = now()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXXXX"
        let iso = formatter.string(from: date)
        formatter.dateFormat = "EEEE"
        let weekday = formatter.string(from: date)
        let result: JSONValue = [
            "datetime": .string(iso), "timezone": .string(name), "weekday": .string(weekday),
            "unix": .integer(Int(date.timeIntervalSince1970)),
        ]
        return ToolOutput(result.serialized())
    }
}
