import Foundation
import Testing
import TrellisCore
import TrellisPlugins

/// `BuiltinTools` registers the built-in factories and checks their settings.
struct BuiltinToolsTests {
    let tree: TemporaryTree

    init() throws { tree = try TemporaryTree() }

    /// Makes a built-in from a settings object, with the temporary tree's root as the workspace.
    private func make(_ name: String, _ settings: JSONValue = [:]) throws -> any ToolExecutor {
        let factory = try #require(BuiltinTools.registry[name])
        return try factory.build(ToolSetup(settings: settings.objectValue ?? JSONObject(), workspaceRoot: tree.root))
    }

    private func setupError(_ name: String, _ settings: JSONValue) -> ToolSetupError? {
        do {
            _ = try make(name, settings)
            return nil
        } catch let error as ToolSetupError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("the registry holds the five built-ins, sorted, each making the tool of its name")
    func registryNames() throws {
        let registry = BuiltinTools.registry
        #expect(registry.names == ["calculator", "clock", "http_get", "list_files", "read_file"])
        for name in registry.names {
            let factory = try #require(registry[name])
            #expect(factory.name == name)
            #expect(!factory.summary.isEmpty)
            #expect(try make(name).definition.name == name)
        }
        #expect(registry["shell"] == nil)
    }

    @Test(
        "an unknown setting key is refused, naming it and the allowed keys",
        arguments: [
            ("clock", "zone", "none"),
            ("calculator", "precision", "none"),
            ("http_get", "allow_host", "allow_hosts, max_bytes, timeout"),
            ("read_file", "roots", "root, max_bytes"),
            ("list_files", "max_bytes", "root"),
        ])
    func unknownSetting(tool: String, key: String, allowed: String) throws {
        let error = try #require(setupError(tool, .object(JSONObject([(key, JSONValue.string("x"))]))))
        #expect(error.message == "unknown setting '\(key)' for tool '\(tool)'; allowed: \(allowed)")
        #expect(error.description == error.message)
    }

    @Test("bad setting values are refused, naming the setting")
    func badValues() throws {
        #expect(
            setupError("http_get", ["allow_hosts": [1]])?.message
                == "tools.http_get.allow_hosts must be a list of strings")
        #expect(
            setupError("http_get", ["max_bytes": 0])?.message
                == "tools.http_get.max_bytes must be a number of bytes from 1 to 1073741824 (1 GiB)")
        #expect(
            setupError("http_get", ["timeout": "soon"])?.message
                == "tools.http_get.timeout must be a number of seconds from 0.001 to 86400 (24 hours)")
        #expect(
            setupError("read_file", ["max_bytes": 1.5])?.message
                == "tools.read_file.max_bytes must be a number of bytes from 1 to 1073741824 (1 GiB)")
        // Past the range, where converting to a Duration or adding 1 to the cap would trap.
        #expect(
            setupError("http_get", ["timeout": 1e10])?.message
                == "tools.http_get.timeout must be a number of seconds from 0.001 to 86400 (24 hours)")
        #expect(
            setupError("read_file", ["max_bytes": .integer(Int.max)])?.message
                == "tools.read_file.max_bytes must be a number of bytes from 1 to 1073741824 (1 GiB)")
        #expect(
            setupError("read_file", ["root": "missing"])?.message
                == "tools.read_file.root 'missing' is not a folder")
        #expect(
            setupError("list_files", ["root": "notes.txt"])?.message
                == "tools.list_files.root 'notes.txt' is not a folder")
    }

    @Test("a relative root is resolved against the workspace and confines the tool")
    func relativeRoot() async throws {
        let reader = try make("read_file", ["root": "sub"])
        #expect(try await reader.call(#"{"path":"inner.txt"}"#) == ToolOutput("inner"))
        let outside = try await reader.call(#"{"path":"../notes.txt"}"#)
        #expect(outside.isError)
        let lister = try make("list_files")
        #expect(try await lister.call(#"{"path":"sub"}"#) == ToolOutput("inner.txt\t5 bytes"))
    }

    @Test("read_file honours max_bytes from its settings")
    func readMaxBytes() async throws {
        let reader = try make("read_file", ["max_bytes": 2])
        #expect(try await reader.call(#"{"path":"notes.txt"}"#) == ToolOutput("he\n[truncated at 2 bytes]"))
    }

    @Test("http_get takes its allow list from the settings; a single string is a one-item list")
    func httpGetSettings() async throws {
        let single = try make("http_get", ["allow_hosts": "example.com"])
        let refused = try await single.call(#"{"url":"https://other.test/"}"#)
        #expect(refused == .error("host 'other.test' is not allowed; allowed hosts: example.com"))
        let none = try make("http_get")
        let nothing = try await none.call(#"{"url":"https://example.com/"}"#)
        #expect(nothing.content.contains("allowed hosts: none"))
    }
}
