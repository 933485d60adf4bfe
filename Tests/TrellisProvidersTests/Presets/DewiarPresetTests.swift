import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisProviders

/// Dewiar (`kind: dewiar`, PROVIDERS §5): one endpoint, billing, BYOK, named stream events, plain-text errors.
@Suite struct DewiarPresetTests {
    let upstreamKey = "sk-ant-upstream-999"
    let request = ModelRequest(model: "ollama/gemma3:27b", messages: [.user("Столица Франции?")])

    @Test func roundTripPostsToTheBaseURLItselfWithCostFromBilling() async throws {
        let trip = try await roundTrip(DewiarFake.self, kind: "dewiar", stream: false, model: "openai/gpt-5")
        #expect(trip.requests.map(\.path) == ["/API/api", "/API/api"])
        #expect(trip.requests.first?.json?["model"] == "openai/gpt-5")
        #expect(trip.requests.first?.header("Authorization") == "Bearer \(secretKey)")
        #expect(trip.first.usage == Usage(inputTokens: 61, outputTokens: 38, cost: DewiarFake.cost(twoCalls)))
        #expect(trip.second.usage?.cost == DewiarFake.cost(finalAnswer))
        #expect(trip.first.model == "gemma3:27b")
        #expect(trip.first.quirks.isEmpty)
    }

    @Test func streamedRoundTripFoldsBillingIntoUsage() async throws {
        let trip = try await roundTrip(DewiarFake.self, kind: "dewiar", stream: true)
        #expect(trip.first.usage == Usage(cost: DewiarFake.cost(twoCalls)))
        #expect(trip.second.usage == Usage(cost: DewiarFake.cost(finalAnswer)))
        #expect(trip.first.quirks == ["no usage reported"])
        let extras = trip.events.filter { if case .providerExtra = $0 { return true } else { return false } }
        #expect(
            extras == [
                .providerExtra(name: "billing", value: DewiarFake.billing(twoCalls)),
                .providerExtra(name: "billing", value: DewiarFake.billing(finalAnswer)),
            ])
    }

    @Test func billingEventComesBeforeCompletedWithItsCost() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(
                .eventStream([
                    sse(#"{"choices":[{"delta":{"content":"Это"}}]}"#),
                    sse(#"{"choices":[{"delta":{"content":" красный пиксель."}}]}"#),
                    sse(#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#),
                    "event: billing_update\n"
                        + #"data: {"billing":{"request_cost":0.000001675,"balance_remaining":9.942895375,"using_own_key":false}}"#
                        + "\n\n",
                    sseDone,
                ]))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server))
            let events = try await drain(provider.stream(request))
            #expect(
                events.dropLast()
                    == [
                        .textDelta("Это"), .textDelta(" красный пиксель."),
                        .providerExtra(
                            name: "billing",
                            value: [
                                "request_cost": 0.000001675, "balance_remaining": 9.942895375, "using_own_key": false,
                            ]
                        ),
                    ])
            let response = try #require(events.completed)
            #expect(response.message.text == "Это красный пиксель.")
            #expect(response.finishReason == .stop)
            #expect(response.usage == Usage(cost: 0.000001675))
            #expect(response.model == nil)
        }
    }

    @Test func nonJSONNamedEventIsPassedThrough() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            var chunks = DewiarFake.chunks(.text("Paris."))
            chunks.insert("event: notice\ndata: queue position 3\ndata: please wait\n\n", at: 1)
            server.enqueue(.eventStream(chunks))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server))
            let events = try await drain(provider.stream(request))
            #expect(events.contains(.providerExtra(name: "notice", value: "queue position 3\nplease wait")))
            #expect(events.completed?.message.text == "Paris.")
        }
    }

    @Test func namedErrorEventEndsTheStream() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            var chunks = DewiarFake.chunks(.text("Paris."))
            chunks.insert(
                "event: error\n" + #"data: {"error":{"message":"upstream timed out","code":"upstream"}}"# + "\n\n",
                at: 1)
            server.enqueue(.eventStream(chunks))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server))
            let log = EventLog()
            let error = try await #require(throws: ProviderError.self) {
                try await drain(provider.stream(request), into: log)
            }
            #expect(error.shortDescription == "provider_stream_error")
            #expect(error.message == "error in stream: upstream timed out")
            #expect(error.vendorCode == "upstream")
            #expect(log.events.completedCount == 0)
        }
    }

    @Test func billingWithoutUsageStillGivesTheCost() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(
                .json(
                    #"{"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],"billing":{"request_cost":"0.0000021","balance_remaining":9.94,"using_own_key":true}}"#
                ))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server))
            let response = try await provider.complete(request)
            #expect(response.usage == Usage(cost: 0.0000021))
            #expect(response.quirks == ["no usage reported"])
        }
    }

    @Test func providerAPIKeyIsSentInTheBody() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(
                .json(DewiarFake.body(.text("Привет!"), usingOwnKey: true)),
                DewiarFake.reply(.text("Привет!"), stream: true))
            let provider = presetProvider(
                kind: "dewiar", baseURL: DewiarFake.baseURL(of: server),
                settings: ["provider_api_key": .string(upstreamKey)])
            let claude = ModelRequest(model: "anthropic/claude-opus-4-0", messages: [.user("Привет, Claude!")])
            _ = try await provider.complete(claude)
            _ = try await drain(provider.stream(claude))
            for recorded in server.requests {
                #expect(recorded.json?["provider_api_key"]?.stringValue == upstreamKey)
                #expect(recorded.json?["model"] == "anthropic/claude-opus-4-0")
                #expect(recorded.header("Authorization") == "Bearer \(secretKey)")
            }
        }
    }

    @Test func noProviderAPIKeyMeansNoField() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(DewiarFake.reply(.text("ok"), stream: false))
            let provider = presetProvider(
                kind: "dewiar", baseURL: DewiarFake.baseURL(of: server), settings: ["provider_api_key": ""])
            _ = try await provider.complete(request)
            #expect(server.requests.first?.json?["provider_api_key"] == nil)
        }
    }

    @Test func providerAPIKeyIsRedactedFromErrors() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(
                DewiarFake.error(status: 400, message: "upstream rejected key \(upstreamKey)", retryAfter: nil),
                .text("bad provider_api_key \(upstreamKey)", status: 200),
                .eventStream([sse(#"{"error":{"message":"key \#(upstreamKey) was revoked"}}"#), sseDone]),
                .text("upstream said: \(upstreamKey) invalid", status: 403))
            let provider = presetProvider(
                kind: "dewiar", baseURL: DewiarFake.baseURL(of: server),
                settings: ["provider_api_key": .string(upstreamKey)])
            var errors: [ProviderError] = []
            for _ in 0..<2 {
                do { _ = try await provider.complete(request) } catch let error as ProviderError {
                    errors.append(error)
                }
            }
            for _ in 0..<2 {
                do { try await drain(provider.stream(request)) } catch let error as ProviderError {
                    errors.append(error)
                }
            }
            #expect(errors.count == 4)
            #expect(errors.map(\.status) == [400, 200, nil, 403])
            for error in errors {
                #expect(!error.description.contains(upstreamKey), "\(error.shortDescription) leaks the upstream key")
                #expect(!(error.bodySnippet ?? "").contains(upstreamKey))
                #expect(error.description.contains("[redacted]"))
            }
        }
    }

    @Test func missingKeyIsAPlainTextUnauthorized() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server), key: nil)
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.status == 401)
            #expect(error.message == "api key missing")
            #expect(error.description == "provider 'dewiar': HTTP 401: api key missing")
            let wrong = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server), key: "DEWIAR-0_wrong")
            let refused = try await #require(throws: ProviderError.self) { try await wrong.complete(request) }
            #expect(refused.message == "invalid_api_key")
            #expect(!refused.description.contains("DEWIAR-0_wrong"))
        }
    }

    @Test func errorObjectAsStringKeepsItsCode() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(.json(#"{"error":"insufficient balance","code":"balance_low"}"#, status: 402))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server))
            let error = try await #require(throws: ProviderError.self) { try await provider.complete(request) }
            #expect(error.message == "insufficient balance")
            #expect(error.vendorCode == "balance_low")
            #expect(!error.isRetryable)
        }
    }

    @Test func trailingSlashOnTheBaseURLIsDropped() async throws {
        try await FakeVendorServer.withServer { server in
            DewiarFake.install(on: server, key: secretKey)
            server.enqueue(DewiarFake.reply(.text("ok"), stream: false))
            let provider = presetProvider(kind: "dewiar", baseURL: DewiarFake.baseURL(of: server) + "/")
            _ = try await provider.complete(request)
            #expect(server.requests.first?.path == "/API/api")
        }
    }
}
