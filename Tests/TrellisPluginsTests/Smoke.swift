import Testing

@Test func TrellisPluginsTestsBuilds() { #expect(Bool(true)) }
