import Testing
import TrellisConfig
import TrellisCore

/// `providers:` in trellis.yaml: kinds with default URLs, kind settings, pricing, built-in providers, fallbacks.
@Suite struct ProviderConfigTests {
    static let agent = ["a": "model: openai/gpt-4o\n"]

    @Test("a provider without base_url gets its kind's default; kind settings are kept")
    func kindDefaultsAndSettings() throws {
        let fixture = try WorkspaceFixture(
            agents: Self.agent,
            workspace: """
                providers:
                  yc:
                    kind: yandex
                    api_key: AQVN-key
                    folder_id: b1gfolder
                    auth: iam
                """)
        let provider = try #require(try fixture.load().configuration.providers["yc"])
        #expect(provider.kind == "yandex")
        #expect(provider.baseURL == "https://llm.api.cloud.yandex.net")
        #expect(provider.setting("folder_id") == "b1gfolder")
        #expect(provider.setting("auth") == "iam")
    }

    @Test("a setting of another kind is an error naming the kind it belongs to, at its place")
    func foreignSetting() throws {
        let fixture = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  x:\n    kind: openai\n    folder_id: b1g\n")
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:4:5: 'folder_id' is a setting of provider kind yandex, not of 'openai'"
            ])
    }

    @Test("an unknown kind lists the kinds this build speaks")
    func unknownKind() throws {
        let fixture = try WorkspaceFixture(agents: Self.agent, workspace: "providers:\n  x:\n    kind: yandx\n")
        #expect(
            fixture.errors() == [
                "WS/trellis.yaml:3:11: unknown provider kind 'yandx' (did you mean 'yandex'?); known: openai, dewiar, siliconflow, vllm, yandex, amvera, anthropic, ollama, local"
            ])
    }

    @Test("a duration setting (local's startup_timeout) is read like every duration and kept as seconds")
    func durationSetting() throws {
        let good = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  mine:\n    kind: local\n    startup_timeout: 2m\n")
        #expect(try good.load().configuration.providers["mine"]?.settings["startup_timeout"] == .number(120))
        let bad = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  mine:\n    kind: local\n    startup_timeout: soon\n")
        #expect(
            bad.errors() == [
                "WS/trellis.yaml:4:22: 'startup_timeout' must be a duration from 1ms to 24h such as 30s, 500ms or 2m, got 'soon'"
            ])
    }

    @Test("pricing is read per model; a missing or negative price is an error at its place")
    func pricing() throws {
        let good = try WorkspaceFixture(
            agents: Self.agent,
            workspace: """
                providers:
                  openai:
                    kind: openai
                    pricing:
                      gpt-4o: {input: 2.5, output: 10}
                """)
        #expect(
            try good.load().configuration.providers["openai"]?.pricing["gpt-4o"]
                == ModelPricing(inputPerMillion: 2.5, outputPerMillion: 10))

        let missing = try WorkspaceFixture(
            agents: Self.agent, workspace: "providers:\n  o:\n    kind: openai\n    pricing:\n      m: {input: 1}\n")
        #expect(
            missing.errors() == [
                "WS/trellis.yaml:5:10: 'pricing.m' needs both input and output (price per million tokens)"
            ])
        let negative = try WorkspaceFixture(
            agents: Self.agent,
            workspace: "providers:\n  o:\n    kind: openai\n    pricing:\n      m: {input: -1, output: 1}\n")
        #expect(negative.errors() == ["WS/trellis.yaml:5:18: 'pricing.m.input' must be a price of 0 or more"])
    }

    @Test("every kind is a built-in provider configured from its environment variables")
    func builtinProviders() throws {
        let fixture = try WorkspaceFixture(agents: Self.agent)
        let providers = try fixture.load(environment: [
            "YANDEX_API_KEY": "AQVN-key", "YANDEX_FOLDER_ID": "b1gfolder", "AMVERA_TOKEN": "tok",
            "OLLAMA_HOST": "http://gpu:11434",
        ]).configuration.providers
        #expect(
            providers.keys.sorted() == [
                "amvera", "anthropic", "dewiar", "local", "ollama", "openai", "siliconflow", "vllm", "yandex",
            ])
        #expect(providers["local"]?.baseURL == "", "a server trellis starts itself")
        #expect(providers["local"]?.apiKeyHint == nil)
        #expect(providers["yandex"]?.apiKey == "AQVN-key")
        #expect(providers["yandex"]?.setting("folder_id") == "b1gfolder")
        #expect(providers["amvera"]?.apiKey == "tok")
        #expect(providers["amvera"]?.baseURL == "https://kong-proxy.yc.amvera.ru/api/v1")
        #expect(providers["ollama"]?.baseURL == "http://gpu:11434")
        #expect(providers["anthropic"]?.apiKey == nil)
        #expect(providers["anthropic"]?.apiKeyHint == "ANTHROPIC_API_KEY")
        #expect(providers["vllm"]?.apiKeyHint == nil)
    }

    @Test("model.fallback takes shorthands and maps; an unknown fallback provider is reported")
    func fallback() throws {
        let fixture = try WorkspaceFixture(agents: [
            "a": """
            model:
              provider: openai
              name: gpt-4o
              fallback:
                - anthropic/claude-sonnet-4-0
                - {provider: ollama, name: llama3.2, temperature: 0.1}
            limits: {max_cost: 0.5}
            """
        ])
        let definition = try fixture.load().agents[0].definition
        #expect(
            definition.model.chain.map(\.description) == [
                "openai/gpt-4o", "anthropic/claude-sonnet-4-0", "ollama/llama3.2",
            ])
        #expect(definition.model.fallback.last?.options.temperature == 0.1)
        #expect(definition.limits.maxCost == 0.5)

        let unknown = try WorkspaceFixture(agents: [
            "a": "model:\n  name: openai/gpt-4o\n  fallback: [nowhere/x]\n"
        ])
        #expect(
            unknown.errors().first?.hasPrefix(
                "WS/agents/a.yaml:2:3: unknown provider 'nowhere' in fallback model 'nowhere/x'") == true)
    }

    @Test("a negative max_cost is an error at its place")
    func negativeMaxCost() throws {
        let fixture = try WorkspaceFixture(agents: ["a": "model: openai/gpt-4o\nlimits:\n  max_cost: -1\n"])
        #expect(
            fixture.errors() == [
                "WS/agents/a.yaml:3:13: 'limits.max_cost' must be a number from 0 to 1000000, got '-1'"
            ])
    }
}
