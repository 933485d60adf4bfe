import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Ollama HTTP errors and retries, as the caller sees them.
@Suite struct OllamaErrorTests {
    let request = ModelRequest(model: "llama3.2", messages: [.user("Hi")])

    /// Runs `complete` against the fake with `responses` queued; returns the error, request count and sleeps.
    func completeFailure(_ responses: [FakeResponse], serverKey: String? = nil) async throws
        -> (error: ProviderError, requests: Int, sleeps: [Duration])
    {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeOllama(server, recorder: recorder, key: secretKey)
            if let serverKey { OllamaFake.install(on: server, key: serverKey) }
            for response in responses { server.enqueue(response) }
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(!error.description.contains(secretKey))
            return (error, server.requests.count, await recorder.sleeps)
        }
    }

    @Test func unauthorizedIsNotRetried() async throws {
        let (error, requests, sleeps) = try await completeFailure([], serverKey: "other-key")
        #expect(requests == 1)
        #expect(sleeps.isEmpty)
        #expect(error.status == 401)
        #expect(error.message == "unauthorized")
        #expect(!error.isRetryable)
        #expect(error.description == "provider 'local': HTTP 401: unauthorized")
    }

    @Test func unknownModelIsTheVendorsMessage() async throws {
        let (error, requests, _) = try await completeFailure([
            OllamaFake.error(status: 404, message: #"model "llama9" not found, try pulling it first"#, retryAfter: nil)
        ])
        #expect(requests == 1)
        #expect(error.status == 404)
        #expect(error.message == #"model "llama9" not found, try pulling it first"#)
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeOllama(server, recorder: recorder)
            server.enqueue(
                OllamaFake.error(status: 429, message: "too many requests", retryAfter: 2),
                OllamaFake.reply(.text("Hello!"), stream: false))
            let response = try await provider.complete(request)
            #expect(response.message.text == "Hello!")
            #expect(server.requests.count == 2)
            #expect(await recorder.sleeps == [.seconds(2)])
        }
    }

    @Test func serverErrorsAreRetriedThenSurface() async throws {
        let failure = OllamaFake.error(status: 500, message: "llama runner process has terminated", retryAfter: nil)
        let (error, requests, sleeps) = try await completeFailure([failure, failure, failure])
        #expect(requests == 3)
        #expect(sleeps.count == 2)
        #expect(error.status == 500)
        #expect(error.message == "llama runner process has terminated")
        #expect(error.isRetryable)
    }

    @Test func streamRequestsAreRetriedToo() async throws {
        try await FakeVendorServer.withServer { server in
            let recorder = SleepRecorder()
            let provider = makeOllama(server, recorder: recorder)
            server.enqueue(
                OllamaFake.error(status: 503, message: "server busy", retryAfter: 1),
                OllamaFake.reply(.text("Hello!"), stream: true))
            let events = try await drain(provider.stream(request))
            #expect(events.completed?.message.text == "Hello!")
            #expect(await recorder.sleeps == [.seconds(1)])
        }
    }

    @Test func unknownBodyShapeIsMalformedWithStatusAndBody() async throws {
        let (error, requests, _) = try await completeFailure([.json(#"{"response":"Hello","done":true}"#)])
        #expect(requests == 1)
        #expect(error.shortDescription == "provider_malformed_response")
        #expect(error.provider == "local")
        #expect(error.status == 200)
        #expect(
            error.description
                == #"provider 'local': HTTP 200: the reply has no message; body: {"response":"Hello","done":true}"#)
    }

    @Test func errorBodyWithSuccessStatusIsTheVendorsError() async throws {
        let (error, _, _) = try await completeFailure([.json(OllamaFake.errorBody("unexpected server error"))])
        #expect(error.message == "unexpected server error")
        #expect(error.shortDescription == "provider_http_error")
    }
}
