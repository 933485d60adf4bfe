import Testing

@Test func TrellisCLITestsBuilds() { #expect(Bool(true)) }
