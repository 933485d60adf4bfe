import TrellisCore

extension Duration {
    /// The duration as `plugin.yaml` writes it: `300ms`, `30s`, `1.5s`.
    var pluginText: String {
        let milliseconds = self.milliseconds
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
