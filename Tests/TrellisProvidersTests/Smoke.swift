import Testing

@Test func TrellisProvidersTestsBuilds() { #expect(Bool(true)) }
