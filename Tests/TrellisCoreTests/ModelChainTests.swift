import Testing
import TrellisCore
import TrellisTesting

/// Fallback chains: the next model is tried when one fails after its retries, never for a bad request, and the
/// result says which model answered.
struct ModelChainTests {
    let primary = ModelReference(provider: "main", name: "big-model")
    let backup = ModelReference(provider: "spare", name: "small-model", options: GenerationOptions(temperature: 0.1))

    func chain(_ first: ScriptedModelProvider, _ second: ScriptedModelProvider, pricing: ModelPricing? = nil)
        -> ModelChain
    {
        ModelChain(links: [
            .init(model: primary, provider: first, pricing: pricing), .init(model: backup, provider: second),
        ])
    }

    static let unavailable = ProviderError.http(
        provider: "main", status: 503, message: "overloaded", vendorCode: nil, body: "")

    @Test("a 5xx after retries moves the request to the next model, with its own name and options")
    func fallsBackOnServerError() async throws {
        let first = ScriptedModelProvider([.failure(Self.unavailable)])
        let second = ScriptedModelProvider([.answer("from the spare")])
        let reply = try await chain(first, second).complete(
            ModelRequest(model: "big-model", messages: [.user("hi")], options: GenerationOptions(temperature: 0.9)))

        #expect(reply.message.text == "from the spare")
        #expect(reply.source == "spare/small-model")
        #expect(second.requests.first?.model == "small-model")
        #expect(second.requests.first?.options.temperature == 0.1)
    }

    @Test(
        "failures that another model may not share fall back; a bad request does not",
        arguments: [
            (ProviderError.connection(provider: "p", message: "refused"), true),
            (ProviderError.timeout(provider: "p", after: .seconds(1)), true),
            (ProviderError.http(provider: "p", status: 401, message: "bad key", vendorCode: nil, body: ""), true),
            (ProviderError.http(provider: "p", status: 404, message: "no model", vendorCode: nil, body: ""), true),
            (ProviderError.http(provider: "p", status: 429, message: "slow down", vendorCode: nil, body: ""), true),
            (ProviderError.malformedResponse(provider: "p", message: "?", status: 200, body: "<html>"), true),
            (ProviderError.http(provider: "p", status: 400, message: "bad request", vendorCode: nil, body: ""), false),
            (ProviderError.http(provider: "p", status: 422, message: "invalid", vendorCode: nil, body: ""), false),
        ])
    func fallbackPolicy(error: ProviderError, fallsBack: Bool) async throws {
        let first = ScriptedModelProvider([.failure(error)])
        let second = ScriptedModelProvider([.answer("spare")])
        let reply = try? await chain(first, second).complete(ModelRequest(model: "m", messages: []))

        #expect(second.requests.count == (fallsBack ? 1 : 0))
        #expect(reply?.message.text == (fallsBack ? "spare" : nil))
    }

    @Test("when every model fails, the last error is reported with the earlier ones named")
    func allFail() async throws {
        let first = ScriptedModelProvider([.failure(Self.unavailable)])
        let second = ScriptedModelProvider([.failure(ProviderError.connection(provider: "spare", message: "refused"))])
        let error = await #expect(throws: ProviderError.self) {
            try await chain(first, second).complete(ModelRequest(model: "m", messages: []))
        }
        #expect(
            error?.description
                == "provider 'spare': refused (after fallbacks failed: main/big-model: provider 'main': HTTP 503: overloaded)"
        )
    }

    @Test("the price table fills in the cost a provider did not report; a reported cost is kept")
    func pricing() async throws {
        let price = ModelPricing(inputPerMillion: 2, outputPerMillion: 10)
        let first = ScriptedModelProvider([
            .answer("a", usage: Usage(inputTokens: 1000, outputTokens: 500)),
            .answer("b", usage: Usage(inputTokens: 1000, outputTokens: 500, cost: 0.5)),
        ])
        let linked = chain(first, ScriptedModelProvider([]), pricing: price)
        let computed = try await linked.complete(ModelRequest(model: "m", messages: []))
        let reported = try await linked.complete(ModelRequest(model: "m", messages: []))

        #expect(computed.usage?.cost == 0.007)
        #expect(reported.usage?.cost == 0.5)
    }

    @Test("a stream falls back while it has produced nothing")
    func streamFallsBack() async throws {
        let first = ScriptedModelProvider([.failure(Self.unavailable)])
        let second = ScriptedModelProvider([.answer("spare answer")])
        var text = ""
        var source: String?
        for try await event in chain(first, second).stream(ModelRequest(model: "m", messages: [])) {
            if case .textDelta(let delta) = event { text += delta }
            if case .completed(let response) = event { source = response.source }
        }
        #expect(text == "spare answer")
        #expect(source == "spare/small-model")
    }

    @Test("a run through a chain reports the model that answered in the result and its JSON")
    func runReportsModel() async throws {
        let first = ScriptedModelProvider([.failure(Self.unavailable)])
        let second = ScriptedModelProvider([.answer("done")])
        var agent = testAgent()
        agent.model = ModelReference(provider: "main", name: "big-model", fallback: [backup])
        let result = await AgentRunner(provider: chain(first, second)).run(agent, input: "hi")

        #expect(result.finishReason == .stop)
        #expect(result.model == "spare/small-model")
        #expect(result.json["model"] == "spare/small-model")
    }

    @Test("ModelReference.chain lists the model, then its fallbacks depth first")
    func referenceChain() {
        let nested = ModelReference(
            provider: "a", name: "1",
            fallback: [ModelReference(provider: "b", name: "2", fallback: [ModelReference(provider: "c", name: "3")])])
        #expect(nested.chain.map(\.description) == ["a/1", "b/2", "c/3"])
    }
}

/// `limits.max_cost`: a model call that would pass the budget is not made.
struct MaxCostTests {
    @Test("the run stops before a call whose estimated cost would pass max_cost, tool calls answered")
    func stopsBeforeExpensiveCall() async throws {
        let echo = EchoTool()
        var agent = testAgent()
        agent.limits.maxCost = 0.025
        let (result, provider) = await runScript(
            [
                .call("echo", #"{"text":"a"}"#, usage: Usage(inputTokens: 10, outputTokens: 5, cost: 0.01)),
                .call("echo", #"{"text":"b"}"#, usage: Usage(inputTokens: 10, outputTokens: 5, cost: 0.01)),
                .answer("never asked"),
            ], tools: [echo], agent: agent)

        #expect(provider.requests.count == 2)
        #expect(result.finishReason == .maxCost)
        #expect(result.usage?.cost == 0.02)
        #expect(result.error?.code == "max_cost")
        #expect(
            result.error?.message
                == "spent 0.02; the next model call (about 0.01) would pass limits.max_cost (0.025)")
        #expect(echo.log.count == 2)
        #expect(result.json["finish_reason"] == "max_cost")
    }

    @Test("a run within budget is not affected; without cost figures the limit cannot apply")
    func withinBudget() async throws {
        var agent = testAgent()
        agent.limits.maxCost = 1
        let (priced, _) = await runScript(
            [
                .call("echo", #"{"text":"a"}"#, usage: Usage(inputTokens: 10, outputTokens: 5, cost: 0.01)),
                .answer("done", usage: Usage(inputTokens: 10, outputTokens: 5, cost: 0.01)),
            ], tools: [EchoTool()], agent: agent)
        let (unpriced, _) = await runScript(
            [.call("echo", #"{"text":"a"}"#, usage: Usage(inputTokens: 10, outputTokens: 5)), .answer("done")],
            tools: [EchoTool()], agent: agent)

        #expect(priced.finishReason == .stop)
        #expect(priced.usage?.cost == 0.02)
        #expect(unpriced.finishReason == .stop)
    }
}
