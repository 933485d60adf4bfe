/// A "billion laughs" YAML fragment: nine levels of anchors, each a list of nine aliases of the one before, so
/// `i` expands to 9^9 (387 million) scalars from under 500 bytes.
enum AliasBomb {
    static var text: String {
        var lines = ["x0: &a [x, x, x, x, x, x, x, x, x]"]
        let names = Array("abcdefghi")
        for level in 1..<names.count {
            let alias = "*\(names[level - 1])"
            lines.append("x\(level): &\(names[level]) [\(Array(repeating: alias, count: 9).joined(separator: ", "))]")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
