extension Duration {
    /// The duration as people write it in errors: `0.3 s`, `10 s`.
    var mcpText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        let rounded = (seconds * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
    }
}
