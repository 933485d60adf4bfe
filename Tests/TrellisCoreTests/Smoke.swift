import Testing

@Test func TrellisCoreTestsBuilds() { #expect(Bool(true)) }
