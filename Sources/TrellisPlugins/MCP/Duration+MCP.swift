import TrellisCore

extension Duration {
    /// The duration as people write it in errors: `0.3 s`, `10 s`.
    var mcpText: String {
        let rounded = (secondsValue * 1000).rounded() / 1000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? "\(Int(rounded)) s" : "\(rounded) s"
    }
}
