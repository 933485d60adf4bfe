/// What `trellis plugin check` found: one step per thing tried, each conforming to protocol 1 or not.
public struct PluginCheckReport: Sendable, Hashable {
    /// The plugin folder that was checked, absolute.
    public var folder: String
    /// The steps, in the order they ran.
    public var steps: [Step]
    /// Whether `plugin.yaml` could not be read; nothing else was tried then.
    public var manifestIsBroken: Bool

    /// Creates a report.
    public init(folder: String, steps: [Step] = [], manifestIsBroken: Bool = false) {
        self.folder = folder
        self.steps = steps
        self.manifestIsBroken = manifestIsBroken
    }

    /// Whether every step conforms (skipped steps do not count against it).
    public var conforms: Bool { !manifestIsBroken && !steps.contains { $0.verdict == .fails } }

    /// One thing tried.
    public struct Step: Sendable, Hashable {
        /// What was tried: `manifest`, `--describe`, `convert: empty call`, `convert: sample call`.
        public var name: String
        /// Whether it conforms.
        public var verdict: Verdict
        /// What happened: the reply, or the problem with the plugin's stderr tail.
        public var detail: String
        /// How long it took.
        public var duration: Duration

        /// Creates a step.
        public init(name: String, verdict: Verdict, detail: String, duration: Duration = .zero) {
            self.name = name
            self.verdict = verdict
            self.detail = detail
            self.duration = duration
        }
    }

    /// A step's outcome.
    public enum Verdict: String, Sendable, Hashable {
        /// The plugin did what protocol 1 asks.
        case conforms = "ok"
        /// The plugin broke the protocol.
        case fails = "FAIL"
        /// Not tried, for a reason the detail gives (it does not count against the plugin).
        case skipped = "skipped"
    }
}
