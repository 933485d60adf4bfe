import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Anthropic HTTP errors and retries, as the caller sees them.
@Suite struct AnthropicErrorTests {
    let request = ModelRequest(model: "claude-sonnet-4-5", messages: [.user("Hi")])

    /// Runs `complete` against the fake with `responses` queued; returns the error, request count and sleeps.
    func completeFailure(_ responses: [FakeResponse], key: String = secretKey) async throws
        -> (error: ProviderError, requests: Int, sleeps: [Duration])
    {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeAnthropic(server, recorder: recorder)
            if key != secretKey { AnthropicFake.install(on: server, key: key) }
            for response in responses { server.enqueue(response) }
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(!error.description.contains(secretKey))
            return (error, server.requests.count, await recorder.sleeps)
        }
    }

    @Test func wrongKeyIsNotRetried() async throws {
        let (error, requests, sleeps) = try await completeFailure([], key: "sk-ant-other")
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
        #expect(error.status == 401)
        #expect(error.message == "invalid x-api-key")
        #expect(error.vendorCode == "authentication_error")
        #expect(!error.isRetryable)
        #expect(error.description == "provider 'claude': HTTP 401: invalid x-api-key (authentication_error)")
    }

    @Test func fakeRefusesAMissingVersionHeaderAsAnthropicDoes() async throws {
        try await FakeVendorServer.withServer { server in
            AnthropicFake.install(on: server, key: secretKey)
            let provider = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(
                    name: "wrong", kind: "openai", baseURL: server.baseURL,
                    headers: [HTTPHeaderField(name: "x-api-key", value: secretKey)]),
                retry: RetryPolicy(maxRetries: 0))
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 400)
            #expect(error.message == "anthropic-version: header is required")
            #expect(error.vendorCode == "invalid_request_error")
        }
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeAnthropic(server, recorder: recorder)
            server.enqueue(
                AnthropicFake.error(
                    status: 429, message: "Number of request tokens has exceeded your rate limit.", retryAfter: 3),
                AnthropicFake.reply(.text("Hello!"), stream: false))
            let response = try await provider.complete(request)
            #expect(response.message.text == "Hello!")
            #expect(server.requests.count == 2)
            #expect(await recorder.sleeps == [.seconds(3)])
            #expect(server.requests.first?.body == server.requests.last?.body)
        }
    }

    @Test(arguments: [500, 529])
    func serverErrorsAndOverloadAreRetried(status: Int) async throws {
        let failure = AnthropicFake.error(status: status, message: "Overloaded", retryAfter: nil)
        let (error, requests, sleeps) = try await completeFailure([failure, failure, failure])
        #expect(requests == 3)
        #expect(sleeps.count == 2)
        #expect(error.status == status)
        #expect(error.vendorCode == (status == 529 ? "overloaded_error" : "api_error"))
        #expect(error.isRetryable)
    }

    @Test func streamRequestsAreRetriedToo() async throws {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeAnthropic(server, recorder: recorder)
            server.enqueue(
                AnthropicFake.error(status: 529, message: "Overloaded", retryAfter: 1),
                AnthropicFake.reply(.text("Hello!"), stream: true))
            let events = try await drain(provider.stream(request))
            #expect(events.completed?.message.text == "Hello!")
            #expect(await recorder.sleeps == [.seconds(1)])
        }
    }

    @Test func unknownBodyShapeIsMalformedWithStatusAndBody() async throws {
        let (error, requests, _) = try await completeFailure([.json(#"{"completion":"Hello","stop":null}"#)])
        #expect(requests == 1)
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.provider == "claude")
        #expect(error.status == 200)
        #expect(error.bodySnippet == #"{"completion":"Hello","stop":null}"#)
        #expect(
            error.description
                == #"provider 'claude': HTTP 200: the reply has no content array; body: {"completion":"Hello","stop":null}"#
        )
    }

    @Test func bodyThatIsNotJSONIsMalformed() async throws {
        let (error, _, _) = try await completeFailure([.text("<html>bad gateway</html>", status: 200)])
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.bodySnippet == "<html>bad gateway</html>")
    }
}
