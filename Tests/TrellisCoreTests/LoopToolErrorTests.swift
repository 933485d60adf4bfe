import Testing
import TrellisCore
import TrellisTesting

/// Bad calls and failing tools become error results the model reads in its next request; the run goes on.
struct LoopToolErrorTests {
    /// `weather`: a tool with a strict schema.
    struct WeatherTool: ToolExecutor {
        let log = CallLog()
        let definition = ToolDefinition(
            name: "weather", description: "Weather for a city",
            parameters: [
                "type": "object",
                "properties": [
                    "city": ["type": "string", "minLength": 2, "maxLength": 10],
                    "days": ["type": "integer", "minimum": 1, "maximum": 7],
                    "units": ["type": "string", "enum": ["c", "f"]],
                    "tags": ["type": "array", "items": ["type": "string"]],
                ],
                "required": ["city"],
                "additionalProperties": false,
            ])

        func execute(arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
            log.record(arguments, context)
            return ToolOutput("sunny in \(arguments["city"]?.stringValue ?? "?")")
        }
    }

    /// Runs one call, then a final answer, and returns the error result the model saw.
    private func errorResultSeenByModel(
        for call: Step, tools: [any ToolExecutor]
    ) async throws -> (content: String, result: RunResult) {
        let (result, provider) = await runScript([call, .answer("sorry")], tools: tools)
        #expect(result.finishReason == .stop)
        #expect(result.output == "sorry")
        #expect(result.error == nil)
        let requests = provider.requests
        try #require(requests.count == 2)
        let seen = try #require(requests[1].lastMessage)
        #expect(seen.role == .tool)
        #expect(seen.toolCallID == "call_1")
        let record = try #require(result.toolCalls.first)
        #expect(record.isError)
        #expect(record.content == seen.text)
        expectEveryCallAnsweredOnce(result.transcript)
        return (seen.text, result)
    }

    @Test("invalid JSON arguments are reported with the byte offset")
    func invalidJSON() async throws {
        let weather = WeatherTool()
        let (content, result) = try await errorResultSeenByModel(
            for: .call("weather", #"{"city": "Kazan""#), tools: [weather])

        #expect(weather.log.count == 0)
        #expect(content.contains("invalid arguments for tool 'weather'"))
        #expect(content.contains("not valid JSON"))
        #expect(content.contains("at byte 16"))
        // The record keeps the raw text when it is not JSON.
        #expect(result.toolCalls.first?.arguments == .string(#"{"city": "Kazan""#))
    }

    @Test(
        "schema violations are reported, naming the tool and the problem",
        arguments: [
            (#"{"city":5}"#, "$.city: expected string, got integer"),
            (#"{}"#, "$: missing required property 'city'"),
            (#"{"city":"Kazan","units":"k"}"#, #"$.units: "k" is not one of "c", "f""#),
            (#"{"city":"Kazan","wind":true}"#, "$: unexpected property 'wind' (allowed: city, days, units, tags)"),
            (#"{"city":"Kazan","days":0}"#, "$.days: must be ≥ 1, got 0"),
            (#"{"city":"Kazan","days":8}"#, "$.days: must be ≤ 7, got 8"),
            (#"{"city":"Kazan","days":2.5}"#, "$.days: expected integer, got number"),
            (#"{"city":"K"}"#, "$.city: must be at least 2 characters long, got 1"),
            (#"{"city":"Kazan-on-Volga"}"#, "$.city: must be at most 10 characters long, got 14"),
            (#"{"city":"Kazan","tags":["a",2]}"#, "$.tags[1]: expected string, got integer"),
            (#"["Kazan"]"#, "$: expected object, got array"),
        ])
    func schemaViolation(arguments: String, problem: String) async throws {
        let weather = WeatherTool()
        let (content, _) = try await errorResultSeenByModel(for: .call("weather", arguments), tools: [weather])

        #expect(weather.log.count == 0)
        #expect(content.hasPrefix("invalid arguments for tool 'weather': "))
        #expect(content.contains(problem))
    }

    @Test("valid arguments pass the schema and reach the tool")
    func validArgumentsRun() async throws {
        let weather = WeatherTool()
        let (result, _) = await runScript(
            [.call("weather", #"{"city":"Kazan","days":7,"units":"c","tags":["x"]}"#), .answer("ok")],
            tools: [weather])

        #expect(weather.log.count == 1)
        #expect(result.toolCalls.map(\.isError) == [false])
        #expect(result.toolMessages.map(\.text) == ["sunny in Kazan"])
    }

    @Test("every violation of one call is listed")
    func allViolationsListed() async throws {
        let weather = WeatherTool()
        let (content, _) = try await errorResultSeenByModel(
            for: .call("weather", #"{"days":9,"units":"k"}"#), tools: [weather])

        #expect(content.contains("missing required property 'city'"))
        #expect(content.contains("$.days: must be ≤ 7, got 9"))
        #expect(content.contains(#"$.units: "k" is not one of"#))
    }

    @Test("an unknown tool is reported with the tools that exist")
    func unknownTool() async throws {
        let echo = EchoTool()
        let (content, _) = try await errorResultSeenByModel(
            for: .call("teleport", "{}"), tools: [echo, ThrowingTool()])

        #expect(content == "unknown tool 'teleport'; available tools: echo, explode")
        #expect(echo.log.count == 0)
    }

    @Test("a tool that throws becomes an error result naming the tool and the error")
    func throwingTool() async throws {
        let exploding = ThrowingTool()
        let (content, _) = try await errorResultSeenByModel(for: .call("explode", "{}"), tools: [exploding])

        #expect(exploding.log.count == 1)
        #expect(content == "tool 'explode' failed: the disk is on fire")
    }

    @Test("a bad call does not stop the good calls of the same reply")
    func mixedBatch() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [
                .calls([("echo", #"{"text":"ok"}"#), ("nope", "{}"), ("echo", "{bad"), ("explode", "{}")]),
                .answer("done"),
            ], tools: [echo, ThrowingTool()])

        #expect(result.finishReason == .stop)
        #expect(echo.log.count == 1)
        #expect(result.toolCalls.map(\.isError) == [false, true, true, true])
        let seen = try #require(provider.requests.last).trailingToolMessages
        #expect(seen.map(\.toolCallID) == ["call_1", "call_2", "call_3", "call_4"])
        #expect(seen[0].text == "echo: ok")
        #expect(seen[1].text.contains("unknown tool 'nope'"))
        #expect(seen[2].text.contains("invalid arguments for tool 'echo'"))
        #expect(seen[3].text.contains("tool 'explode' failed"))
        expectEveryCallAnsweredOnce(result.transcript)
    }
}
