import CYaml

/// Places a repeated mapping key in file order, from libyaml's events.
///
/// Yams refuses a mapping that repeats a key, but it names the repeats in an order that depends on hash seeds when
/// the keys are not all plain values (a list or a mapping used as a key), and puts the error at whichever of them it
/// sorted first: two loads of one file could give two different problems. This reads the text again and reports
/// the first mapping to close with a repeat (the one Yams checks first), at the second occurrence of its first
/// repeated key.
///
/// Each node is interned to a number, a mapping or list by the numbers of its children, so comparing keys costs
/// what the text holds, not what its aliases expand to.
struct DuplicateKeyFinder {
    let file: String

    /// The first repeated key, or `nil` when no mapping repeats a key.
    func firstDuplicate(in text: String) -> DefinitionError? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk()
            return walk.run(&parser, file: file)
        }
    }

    /// A key seen in an open mapping: its node's number, how to show it, and where it is.
    private struct Key {
        let node: Int
        let shown: String
        let line: Int
        let column: Int
    }

    /// A mapping or list that has started and not ended.
    private struct Collection {
        let isMapping: Bool
        let anchor: String?
        let startMark: yaml_mark_t
        var children: [Int] = []
        var keys: [Key] = []
    }

    private struct Walk {
        var interned: [String: Int] = [:]
        var anchors: [String: (node: Int, shown: String)] = [:]
        var open: [Collection] = []

        mutating func run(_ parser: inout yaml_parser_t, file: String) -> DefinitionError? {
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let value = scalar.value.map { pointer in
                        String(decoding: UnsafeBufferPointer(start: pointer, count: scalar.length), as: UTF8.self)
                    }
                    let text = value ?? ""
                    let node = intern("s" + text)
                    if let anchor = Self.name(scalar.anchor) { anchors[anchor] = (node, text) }
                    add(node, shown: text, at: mark)
                case YAML_ALIAS_EVENT:
                    let anchor = Self.name(event.data.alias.anchor) ?? ""
                    if let target = anchors[anchor] {
                        add(target.node, shown: target.shown, at: mark)
                    } else {
                        add(intern("*" + anchor), shown: "*" + anchor, at: mark)
                    }
                case YAML_SEQUENCE_START_EVENT:
                    open.append(
                        Collection(
                            isMapping: false, anchor: Self.name(event.data.sequence_start.anchor), startMark: mark))
                case YAML_MAPPING_START_EVENT:
                    open.append(
                        Collection(
                            isMapping: true, anchor: Self.name(event.data.mapping_start.anchor), startMark: mark))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = open.popLast() else { return nil }
                    if closed.isMapping, let problem = Self.repeat(in: closed.keys, file: file) { return problem }
                    let prefix = closed.isMapping ? "m" : "l"
                    let node = intern(prefix + closed.children.map(String.init).joined(separator: ","))
                    let shown = closed.isMapping ? "a mapping" : "a list"
                    if let anchor = closed.anchor { anchors[anchor] = (node, shown) }
                    add(node, shown: shown, at: closed.startMark)
                default:
                    break
                }
            }
        }

        /// Adds a finished node to the collection that holds it; in a mapping, every other child is a key.
        private mutating func add(_ node: Int, shown: String, at mark: yaml_mark_t) {
            guard !open.isEmpty else { return }
            let index = open.count - 1
            if open[index].isMapping, open[index].children.count.isMultiple(of: 2) {
                open[index].keys.append(
                    Key(node: node, shown: shown, line: mark.line + 1, column: mark.column + 1))
            }
            open[index].children.append(node)
        }

        private mutating func intern(_ canonical: String) -> Int {
            if let number = interned[canonical] { return number }
            let number = interned.count
            interned[canonical] = number
            return number
        }

        /// The first key of a mapping that repeats an earlier one, at the repeat, naming every repeated key.
        private static func `repeat`(in keys: [Key], file: String) -> DefinitionError? {
            var first: [Int: Key] = [:]
            var repeats: [(key: Key, first: Key)] = []
            for key in keys {
                if let earlier = first[key.node] {
                    if !repeats.contains(where: { $0.key.node == key.node }) { repeats.append((key, earlier)) }
                } else {
                    first[key.node] = key
                }
            }
            guard let (key, earlier) = repeats.first else { return nil }
            var message = "duplicate key '\(key.shown)' (first at \(earlier.line):\(earlier.column))"
            if repeats.count > 1 {
                let others = repeats.dropFirst().map { "'\($0.key.shown)'" }
                message += "; this mapping also repeats " + others.joined(separator: ", ")
            }
            return DefinitionError(file: file, line: key.line, column: key.column, message: message)
        }

        private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
