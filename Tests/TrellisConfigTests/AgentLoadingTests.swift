import Testing
import TrellisConfig
import TrellisCore

@Suite struct AgentLoadingTests {
    @Test func loadsEveryField() throws {
        let yaml = """
            description: Test agent
            model:
              provider: local
              name: qwen/Qwen2.5-7B
              temperature: 0.3
              top_p: 0.9
              max_tokens: 256
              stop: END
              seed: 7
              response_format: {type: json_object}
              extra: {enable_thinking: false}
            system: You help.
            tools: [clock, calculator]
            tool_choice: {function: clock}
            parallel_tool_calls: false
            limits: {max_turns: 4, max_tool_calls: 5, max_tokens: 1000, timeout: 1500ms, max_repeated_calls: 4,
                     max_tool_calls_per_turn: 8}
            """
        let fixture = try WorkspaceFixture(
            agents: ["helper": yaml],
            workspace: "providers:\n  local: {kind: openai, base_url: 'http://127.0.0.1:8080/v1'}\n")
        let agent = try fixture.load().agent(named: "helper").resolved()
        #expect(agent.name == "helper")
        #expect(agent.description == "Test agent")
        #expect(agent.model.provider == "local")
        #expect(agent.model.name == "qwen/Qwen2.5-7B")
        #expect(agent.model.options.temperature == 0.3)
        #expect(agent.model.options.topP == 0.9)
        #expect(agent.model.options.maxTokens == 256)
        #expect(agent.model.options.stop == ["END"])
        #expect(agent.model.options.seed == 7)
        #expect(agent.model.options.responseFormat == ["type": "json_object"])
        #expect(agent.model.options.extra["enable_thinking"] == false)
        #expect(agent.system == "You help.")
        #expect(agent.tools.map(\.name) == ["clock", "calculator"])
        #expect(agent.toolChoices == [.function("clock")])
        #expect(agent.parallelToolCalls == false)
        #expect(
            agent.limits
                == RunLimits(
                    maxTurns: 4, maxToolCalls: 5, maxTokens: 1000, timeout: .milliseconds(1500), maxRepeatedCalls: 4,
                    maxToolCallsPerTurn: 8))
    }

    @Test func shorthandSplitsAtTheFirstSlash() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/org/model-1\n"])
        let agent = try fixture.load().agent(named: "a").definition
        #expect(agent.model.provider == "openai")
        #expect(agent.model.name == "org/model-1")
        #expect(agent.limits.maxTurns == 10)
        #expect(agent.parallelToolCalls)
    }

    @Test func variablesAreSubstitutedIntoValuesNotRawText() throws {
        // A value holding YAML syntax stays one string: substitution happens after parsing.
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/${MODEL:-gpt-4o}\nsystem: ${PROMPT}\n"])
        let agent = try fixture.load(environment: ["PROMPT": "a: b\n- c"]).agent(named: "a").definition
        #expect(agent.system == "a: b\n- c")
        #expect(agent.model.name == "gpt-4o")
        let escaped = try WorkspaceFixture(agents: ["a": "model: openai/m\nsystem: cost $${PRICE}\n"])
        #expect(try escaped.load().agent(named: "a").definition.system == "cost ${PRICE}")
    }

    @Test func paramsAreSubstitutedIntoTheSystemPrompt() throws {
        let yaml =
            "model: openai/m\nsystem: Answer in {{language}} about {{topic}}.\nparams:\n  language: {default: English}\n  topic: {description: what to discuss}\n"
        let file = try WorkspaceFixture(agents: ["a": yaml]).load().agent(named: "a")
        #expect(try file.resolved(params: ["topic": "tea"]).system == "Answer in English about tea.")
        #expect(throws: DefinitionError.self) { try file.resolved() }
        do {
            _ = try file.resolved(params: ["topik": "tea"])
            Issue.record("an unknown parameter must be refused")
        } catch {
            #expect(error.message.contains("unknown parameter 'topik' (did you mean 'topic'?)"))
        }
    }

    @Test func unknownAgentNameSuggestsTheClosest() throws {
        let fixture = try WorkspaceFixture(agents: ["assistant": "model: openai/m\n"])
        #expect(throws: DefinitionError.self) { try fixture.load().agent(named: "asistant") }
        do {
            _ = try fixture.load().agent(named: "asistant")
        } catch let error as DefinitionError {
            #expect(error.message == "no agent named 'asistant' (did you mean 'assistant'?); agents: assistant")
        }
    }

    @Test func defaultModelComesFromTheWorkspace() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "system: hi\n"], workspace: "defaults:\n  model: openai/gpt-4o-mini\n")
        #expect(try fixture.load().agent(named: "a").definition.model.description == "openai/gpt-4o-mini")
    }

    @Test func providerSettingsAreRead() throws {
        let fixture = try WorkspaceFixture(
            agents: ["a": "model: local/m\n"],
            workspace: """
                providers:
                  local:
                    kind: openai
                    base_url: ${URL:-http://127.0.0.1:8080/v1}
                    api_key: ${KEY}
                    headers: {X-Team: core}
                    timeout: 5s
                    max_retries: 0
                """)
        let provider = try #require(try fixture.load(environment: ["KEY": "secret"]).configuration.providers["local"])
        #expect(provider.baseURL == "http://127.0.0.1:8080/v1")
        #expect(provider.apiKey == "secret")
        #expect(provider.headers == [HTTPHeaderField(name: "X-Team", value: "core")])
        #expect(provider.timeout == .seconds(5))
        #expect(provider.maxRetries == 0)
        #expect(!provider.description.contains("secret"))
    }

    @Test func schemaListsEveryKeyTheLoaderAccepts() throws {
        let keys = ConfigSchema.agent["properties"]?.objectValue?.keys ?? []
        #expect(
            keys == [
                "name", "description", "model", "system", "tools", "approval", "tool_choice", "stop_at_tools",
                "parallel_tool_calls", "limits", "routes", "handoffs", "params",
            ])
        let workspaceKeys =
            ConfigSchema.workspace(providerKinds: WorkspaceFixture.providerKinds)["properties"]?.objectValue?.keys ?? []
        #expect(workspaceKeys == ["providers", "defaults", "mcp_servers", "tools"])
    }
}
