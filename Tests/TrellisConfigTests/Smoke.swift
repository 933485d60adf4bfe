import Testing

@Test func TrellisConfigTestsBuilds() { #expect(Bool(true)) }
