import Testing
import TrellisCore
import TrellisTesting

/// Provider failures end the run with `error`; they are reported, never thrown.
struct ProviderFailureTests {
    @Test("an unreachable provider ends the run with provider_unreachable, naming the provider")
    func unreachable() async throws {
        let (result, _) = await runScript([.failure(ProviderError.connection(provider: "p", message: "down"))])

        #expect(result.finishReason == .error)
        let error = try #require(result.error)
        #expect(error.code == "provider_unreachable")
        #expect(error.message.contains("'p'"))
        #expect(error.message.contains("down"))
        #expect(result.turns == 1)
    }

    @Test("an HTTP error keeps the status and vendor code in the message")
    func httpError() async throws {
        let failure = ProviderError.http(
            provider: "openai", status: 429, message: "Rate limit reached", vendorCode: "rate_limit_exceeded",
            body: "{}")
        let (result, _) = await runScript([.failure(failure)])

        #expect(result.finishReason == .error)
        #expect(result.error?.code == "provider_http_error")
        #expect(result.error?.message == "provider 'openai': HTTP 429: Rate limit reached (rate_limit_exceeded)")
    }

    @Test("a failure after a tool turn keeps the transcript paired and the calls recorded")
    func failureAfterToolTurn() async throws {
        let echo = EchoTool()
        let (result, provider) = await runScript(
            [.call("echo", #"{"text":"a"}"#), .failure(ProviderError.connection(provider: "local", message: "reset"))],
            tools: [echo])

        #expect(echo.log.count == 1)
        #expect(provider.requests.count == 2)
        #expect(result.finishReason == .error)
        #expect(result.error?.message.contains("'local'") == true)
        #expect(result.toolCalls.count == 1)
        #expect(result.turns == 2)
        expectEveryCallAnsweredOnce(result.transcript)
    }

    @Test("any other error is reported as provider_error with its description")
    func otherError() async throws {
        let (result, _) = await runScript([])

        #expect(result.finishReason == .error)
        #expect(result.error?.code == "provider_error")
        #expect(result.error?.message == "the scripted provider has no more replies")
    }

    @Test("a reply that finishes with 'error' and no calls fails the run")
    func errorFinishWithoutCalls() async throws {
        let (result, _) = await runScript([.calls([], text: "", finish: "abort")])

        #expect(result.finishReason == .error)
        #expect(result.error?.code == "provider_finish_error")
        #expect(result.error?.message.contains("'abort'") == true)
    }
}

/// A provider that cannot stream a request (an empty 200 body) gets it again unstreamed.
struct RefusedStreamTests {
    @Test("a refused stream is sent again without streaming, and its text still arrives as a delta")
    func fallsBackToComplete() async throws {
        let events = EventRecorder()
        let (result, provider) = await runScript(
            [.failure(ProviderError.streamRefused(provider: "p", status: 200)), .answer("forty-two")],
            options: AgentRunner.Options(stream: true), events: events)

        #expect(result.finishReason == .stop)
        #expect(result.output == "forty-two")
        #expect(result.error == nil)
        #expect(provider.requests.count == 2)
        #expect(events.events.contains(.textDelta("forty-two")))
    }
}
