/// One fuzz target: a name to select it by, and a check that runs one input through a decoder or parser and
/// throws ``InvariantFailure`` when the result breaks an invariant. A trap inside the code under test is a crash
/// that libFuzzer (or the replayer's exit status) reports.
struct FuzzTarget: Sendable {
    /// The name `TRELLIS_FUZZ_TARGET` and the replayer's first argument select the target by.
    var name: String
    /// What the target feeds and what it checks, for `trellis-fuzz --list`.
    var summary: String
    /// Runs one input.
    var run: @Sendable ([UInt8]) throws(InvariantFailure) -> Void

    /// Every target, in the order `scripts/fuzz` runs them.
    static let all: [FuzzTarget] =
        [FramingTargets.sse, FramingTargets.ndjson]
        + ProviderTarget.all
        + [DefinitionTargets.agent, DefinitionTargets.workspace, DefinitionTargets.plugin]
        + [SchemaTarget.target, PatternTarget.target, CalculatorTarget.target]

    /// The target called `name`, if any.
    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// An input whose result breaks one of the target's invariants.
struct InvariantFailure: Error, CustomStringConvertible {
    /// Which invariant, and what was seen.
    var description: String

    init(_ description: String) { self.description = description }
}

/// Throws ``InvariantFailure`` with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(InvariantFailure) {
    if !condition { throw InvariantFailure(message()) }
}
