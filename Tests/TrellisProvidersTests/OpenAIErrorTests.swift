import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// HTTP errors, retries and transport failures, as the caller sees them.
@Suite struct OpenAIErrorTests {
    let request = ModelRequest(model: "gpt-4o-mini", messages: [.user("Hi")])

    func openAIError(_ message: String, type: String, code: String) -> String {
        #"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":"\#(code)"}}"#
    }

    /// Runs `complete` against a server scripted with `responses`; returns the error, the request count and the
    /// recorded sleeps.
    func completeFailure(_ responses: [FakeResponse], maxRetries: Int = 2) async throws
        -> (error: ProviderError, requests: Int, sleeps: [Duration])
    {
        try await FakeVendorServer.withServer { server in
            for response in responses { server.enqueue(response) }
            let recorder = SleepRecorder()
            let provider = makeProvider(baseURL: server.baseURL, recorder: recorder, maxRetries: maxRetries)
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(request)
            }
            #expect(!error.description.contains(secretKey))
            return (error, server.requests.count, await recorder.sleeps)
        }
    }

    @Test func unauthorizedIsNotRetried() async throws {
        let (error, requests, sleeps) = try await completeFailure([
            .json(
                openAIError(
                    "Incorrect API key provided: sk-secr*******123.", type: "invalid_request_error",
                    code: "invalid_api_key"), status: 401)
        ])
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
        #expect(error.status == 401)
        #expect(error.message == "Incorrect API key provided: sk-secr*******123.")
        #expect(error.vendorCode == "invalid_api_key")
        #expect(error.provider == "fake")
        #expect(error.shortDescription == "provider_http_error")
        #expect(!error.isRetryable)
        #expect(error.description.contains("HTTP 401"))
        #expect(error.description.contains("Incorrect API key provided"))
    }

    @Test func rateLimitHonoursRetryAfterThenSucceeds() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    openAIError(
                        "Rate limit reached for gpt-4o-mini. Please try again in 2s.", type: "requests",
                        code: "rate_limit_exceeded"),
                    status: 429, headers: [HTTPHeaderField(name: "Retry-After", value: "2")]),
                .json(textReply("Hello!")))
            let recorder = SleepRecorder()
            let provider = makeProvider(baseURL: server.baseURL, recorder: recorder)
            let response = try await provider.complete(request)
            #expect(response.message.text == "Hello!")
            #expect(server.requests.count == 2)
            #expect(await recorder.sleeps == [.seconds(2)])
            // The retry is the same request.
            #expect(server.requests.map(\.body).count == 2)
            #expect(server.requests.first?.body == server.requests.last?.body)
        }
    }

    @Test func retryAfterMillisecondsWinsOverSeconds() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    openAIError("Rate limit reached.", type: "requests", code: "rate_limit_exceeded"), status: 429,
                    headers: [
                        HTTPHeaderField(name: "retry-after-ms", value: "1500"),
                        HTTPHeaderField(name: "Retry-After", value: "2"),
                    ]),
                .json(textReply("ok")))
            let recorder = SleepRecorder()
            let provider = makeProvider(baseURL: server.baseURL, recorder: recorder)
            _ = try await provider.complete(request)
            #expect(await recorder.sleeps == [.milliseconds(1500)])
        }
    }

    @Test func serverErrorsAreRetriedThenSurface() async throws {
        let failure = FakeResponse.json(
            openAIError("The server had an error.", type: "server_error", code: "internal_error"), status: 500)
        let (error, requests, sleeps) = try await completeFailure([failure, failure, failure, failure])
        #expect(requests == 3)
        #expect(sleeps.count == 2)
        #expect(sleeps.allSatisfy { $0 > .zero && $0 <= .seconds(8) })
        #expect(error.status == 500)
        #expect(error.message == "The server had an error.")
        #expect(error.isRetryable)
    }

    @Test func insufficientQuotaIsNotRetried() async throws {
        let (error, requests, sleeps) = try await completeFailure([
            .json(
                openAIError(
                    "You exceeded your current quota, please check your plan and billing details.",
                    type: "insufficient_quota", code: "insufficient_quota"),
                status: 429, headers: [HTTPHeaderField(name: "Retry-After", value: "1")]),
            .json(textReply("should not be fetched")),
        ])
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
        #expect(error.status == 429)
        #expect(error.vendorCode == "insufficient_quota")
        #expect(!error.isRetryable)
        #expect(error.message.hasPrefix("You exceeded your current quota"))
    }

    @Test func siliconFlowErrorBody() async throws {
        let (error, requests, _) = try await completeFailure([
            .json(
                #"{"code":20012,"message":"Model does not exist. Please check it carefully.","data":null}"#, status: 400
            )
        ])
        #expect(requests == 1)
        #expect(error.status == 400)
        #expect(error.message == "Model does not exist. Please check it carefully.")
        #expect(error.vendorCode == "20012")
        #expect(error.description.contains("Model does not exist. Please check it carefully."))
    }

    @Test func oldVLLMErrorBody() async throws {
        let (error, _, _) = try await completeFailure([
            .json(
                #"{"object":"error","message":"\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set","type":"BadRequestError","param":null,"code":400}"#,
                status: 400)
        ])
        #expect(error.message.hasPrefix(#""auto" tool choice requires --enable-auto-tool-choice"#))
        #expect(!error.isRetryable)
    }

    @Test("an empty error message falls back to the body, never to an empty message")
    func emptyErrorMessage() async throws {
        for (body, message) in [
            (#"{"error": ""}"#, #"{"error": ""}"#),
            (#"{"error": {"message": "", "code": "bad_thing"}}"#, #"{"message":"","code":"bad_thing"}"#),
        ] {
            let (error, _, _) = try await completeFailure([.json(body, status: 400)])
            #expect(error.message == message)
        }
    }

    @Test func plainTextBadGateway() async throws {
        let gateway = FakeResponse.text("Bad Gateway: upstream connect error\n", status: 502)
        let (error, requests, sleeps) = try await completeFailure([gateway, gateway, gateway])
        #expect(requests == 3)
        #expect(sleeps.count == 2)
        #expect(error.status == 502)
        #expect(error.message == "Bad Gateway: upstream connect error")
        #expect(error.description.contains("Bad Gateway: upstream connect error"))
    }

    @Test func nonJSONSuccessBodyIsMalformed() async throws {
        let html = "<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>"
        let (error, requests, sleeps) = try await completeFailure([.text(html, status: 200)])
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.status == 200)
        #expect(error.description.contains("'fake'"))
        #expect(error.description.contains("200"))
        #expect(error.description.contains("<html><head><title>Welcome to nginx!"))
    }

    @Test func errorObjectInSuccessBodyThrows() async throws {
        let (error, _, _) = try await completeFailure([
            .json(
                openAIError("Context length exceeded.", type: "invalid_request_error", code: "context_length_exceeded"))
        ])
        #expect(error.message == "Context length exceeded.")
        #expect(error.vendorCode == "context_length_exceeded")
    }

    @Test func streamingRetriesBeforeTheFirstByte() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    openAIError("Rate limit reached.", type: "requests", code: "rate_limit_exceeded"), status: 429,
                    headers: [HTTPHeaderField(name: "Retry-After", value: "2")]),
                .eventStream([
                    sse(#"{"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}"#), sseDone,
                ]))
            let recorder = SleepRecorder()
            let provider = makeProvider(baseURL: server.baseURL, recorder: recorder)
            let events = try await drain(provider.stream(request))
            #expect(events.completed?.message.text == "ok")
            #expect(server.requests.count == 2)
            #expect(await recorder.sleeps == [.seconds(2)])
        }
    }

    @Test func streamingUnauthorizedThrowsWithoutEvents() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    openAIError("Invalid API key.", type: "invalid_request_error", code: "invalid_api_key"), status: 401
                ))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            let log = EventLog()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(request), into: log)
            }
            #expect(error.status == 401)
            #expect(error.message == "Invalid API key.")
            #expect(log.events.isEmpty)
            #expect(server.requests.count == 1)
        }
    }

    @Test func connectionRefusedIsUnreachable() async throws {
        let recorder = SleepRecorder()
        let provider = makeProvider(baseURL: "http://127.0.0.1:9/v1", recorder: recorder)
        let error = try await #require(throws: ProviderError.self) {
            try await provider.complete(request)
        }
        #expect(error.shortDescription == "provider_unreachable")
        #expect(error.provider == "fake")
        #expect(error.status == nil)
        #expect(error.description.contains("127.0.0.1:9"))
        #expect(!error.description.contains(secretKey))
        #expect(await recorder.sleeps.count == 2)
    }

    /// `ProviderConfiguration.timeout` is the deadline for one request; a server that sends its headers and then
    /// stalls must not keep `complete` waiting past it.
    @Test func stalledBodyHitsTheDeadline() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                FakeResponse(
                    headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
                    chunks: [textReply("too late")], chunkDelay: .seconds(4)))
            let provider = OpenAICompatibleProvider(
                configuration: ProviderConfiguration(
                    name: "fake", kind: "openai", baseURL: server.baseURL, apiKey: secretKey,
                    timeout: .milliseconds(1000)),
                retry: RetryPolicy(maxRetries: 0, sleep: { _ in }))
            let error = try await #require(throws: ProviderError.self) {
                try await provider.complete(request)
            }
            // Under load the deadline may pass before the server has even read the request; either way it is a
            // timeout, and with no retries there is never a second request.
            #expect(error.shortDescription == "provider_timeout")
            #expect(server.requests.count <= 1)
        }
    }

    /// The key must not leak even when a vendor echoes it back (`ProviderConfiguration`: "it never reaches logs
    /// or error messages").
    @Test func echoedKeyIsRedactedFromErrors() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(
                .json(
                    openAIError(
                        "Incorrect API key provided: sk-secret-123.", type: "invalid_request_error",
                        code: "invalid_api_key"), status: 401),
                .text("unexpected header Authorization: Bearer sk-secret-123", status: 200),
                .eventStream([
                    sse(#"{"error":{"message":"key sk-secret-123 was revoked","code":"revoked"}}"#), sseDone,
                ]))
            let provider = makeProvider(baseURL: server.baseURL, recorder: SleepRecorder())
            var errors: [ProviderError] = []
            for _ in 0..<2 {
                do {
                    _ = try await provider.complete(request)
                } catch let error as ProviderError {
                    errors.append(error)
                }
            }
            do {
                try await drain(provider.stream(request))
            } catch let error as ProviderError {
                errors.append(error)
            }
            #expect(errors.count == 3)
            for error in errors {
                #expect(!error.description.contains(secretKey), "\(error.shortDescription) leaks the key")
                #expect(!error.message.contains(secretKey))
                #expect(!(error.bodySnippet ?? "").contains(secretKey))
            }
        }
    }
}
