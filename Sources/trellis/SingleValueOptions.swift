/// The options that take one value. The argument parser lets a later one silently replace an earlier one
/// (`--args '{"a":1}' --args '{"b":2}'` would call with `{"b":2}`), so a repeated one is bad usage instead.
enum SingleValueOptions {
    /// Each option's spellings; `-p` and `--image` add up and are not here.
    static let spellings: [[String]] = [["--workspace"], ["--model", "-m"], ["--args"], ["--session"]]

    /// The first option given more than once before `--`, as the message to exit with.
    static func repeated(in arguments: [String]) -> String? {
        let options = arguments.prefix { $0 != "--" }
        for names in spellings {
            let given = options.filter { token in names.contains { token == $0 || token.hasPrefix($0 + "=") } }
            guard given.count > 1 else { continue }
            return "\(names[0]) was given \(given.count) times; it takes one value (a later one would silently "
                + "replace the earlier), so give it once"
        }
        return nil
    }
}
