import Testing
import TrellisCore
import TrellisTesting

@testable import TrellisPlugins

/// `http_get` refuses hosts outside its allow list before any network call.
struct HTTPGetToolTests {
    @Test(
        "a host not in allow_hosts is refused without fetching",
        arguments: [
            ("https://evil.test/steal", "evil.test"),
            ("http://EVIL.test:8080/x", "evil.test"),
            ("https://example.com.evil.test/", "example.com.evil.test"),
            ("https://example.com@evil.test/", "evil.test"),
            ("https://notexample.com/", "notexample.com"),
            ("http://127.0.0.1:1/", "127.0.0.1"),
        ])
    func refusesOtherHosts(url: String, host: String) async throws {
        let tool = HTTPGetTool(allowHosts: ["Example.com", "*.docs.test"])
        let output = try await tool.call(#"{"url":"\#(url)"}"#)
        #expect(output == .error("host '\(host)' is not allowed; allowed hosts: example.com, *.docs.test"))
    }

    @Test("an empty allow list refuses everything and says how to allow a host")
    func emptyAllowList() async throws {
        let output = try await HTTPGetTool(allowHosts: []).call(#"{"url":"https://example.com/"}"#)
        #expect(
            output
                == .error(
                    "host 'example.com' is not allowed; allowed hosts: none (set tools.http_get.allow_hosts in trellis.yaml)"
                ))
    }

    @Test("only http and https URLs are fetched")
    func schemeChecked() async throws {
        let tool = HTTPGetTool(allowHosts: ["*"])
        let validator = JSONSchemaValidator(schema: tool.definition.parameters)
        #expect(!validator.violations(of: ["url": "file:///etc/passwd"]).isEmpty)
        #expect(!validator.violations(of: ["url": "ftp://example.com/"]).isEmpty)
        #expect(validator.violations(of: ["url": "https://example.com/"]).isEmpty)
        let output = try await tool.execute(arguments: ["url": "file:///etc/passwd"], context: testContext)
        #expect(output == .error("'file:///etc/passwd' is not an http(s) URL"))
    }

    @Test("host patterns: exact names, '*.' for subdomains only, '*' for any")
    func hostPatterns() {
        let tool = HTTPGetTool(allowHosts: ["Example.com", "*.docs.test"])
        #expect(tool.isAllowed("example.com"))
        #expect(!tool.isAllowed("www.example.com"))
        #expect(tool.isAllowed("api.docs.test"))
        #expect(tool.isAllowed("a.b.docs.test"))
        #expect(!tool.isAllowed("docs.test"))
        #expect(!tool.isAllowed("evildocs.test"))
        #expect(HTTPGetTool(allowHosts: ["*"]).isAllowed("anything.example"))
        #expect(!HTTPGetTool(allowHosts: []).isAllowed("example.com"))
    }
}

/// `http_get` against a loopback server.
struct HTTPGetToolFetchTests {
    @Test("the timeout covers the body: a server that stalls after its headers fails the call at the timeout")
    func stallAfterHeaders() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(FakeResponse(chunks: ["partial "]).holdingOpen(for: .seconds(120)))
            let tool = HTTPGetTool(allowHosts: ["127.0.0.1"], timeout: .seconds(1))
            let url = server.origin + "/page"
            let clock = ContinuousClock()
            let start = clock.now
            let output = try await tool.call(#"{"url":"\#(url)"}"#)

            #expect(clock.now - start < .seconds(60))
            #expect(output == .error("\(url) did not answer in full within 1s"))
        }
    }

    @Test("a page that comes in full within the timeout is returned")
    func wholePage() async throws {
        try await FakeVendorServer.withServer { server in
            server.enqueue(.text("hello", status: 200))
            // A generous timeout: this checks the page comes whole, not how fast a loaded machine serves it.
            let tool = HTTPGetTool(allowHosts: ["127.0.0.1"], timeout: .seconds(60))
            let output = try await tool.call(#"{"url":"\#(server.origin)/"}"#)
            #expect(output == ToolOutput("HTTP 200\nhello"))
        }
    }
}
