/// A "billion laughs" YAML fragment: nine levels of anchors, each a list of nine aliases of the one before, so
/// `i` expands to 9^9 (387 million) scalars from under 500 bytes.
enum AliasBomb {
    static var text: String { text(indent: 0) }

    /// The fragment, each line indented by `indent` spaces (to nest it under a key).
    static func text(indent: Int) -> String {
        var lines = ["x0: &a [x, x, x, x, x, x, x, x, x]"]
        let names = Array("abcdefghi")
        for level in 1..<names.count {
            let alias = "*\(names[level - 1])"
            lines.append("x\(level): &\(names[level]) [\(Array(repeating: alias, count: 9).joined(separator: ", "))]")
        }
        let margin = String(repeating: " ", count: indent)
        return lines.map { margin + $0 }.joined(separator: "\n") + "\n"
    }
}
