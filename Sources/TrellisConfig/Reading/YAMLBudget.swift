// CYaml is the libyaml that Yams is built on. Yams offers only composed trees, where an alias is already a copy of
// its anchor's node, so an alias bomb's cost shows only when the tree is walked; libyaml's events show each alias.
import CYaml

/// Checks a YAML text against ``ConfigLimits`` before Yams composes it: its size, the nesting of its mappings and
/// lists, and the number of nodes it holds once every alias is expanded (a "billion laughs" file is a few hundred
/// bytes whose aliases expand to billions of nodes).
///
/// It reads libyaml's event stream once, keeping the expanded size of each anchor, so its cost follows the text,
/// not the expansion. A syntax error stops the check quietly: composing reports it, with Yams's wording.
struct YAMLBudget {
    let file: String
    var maxBytes = ConfigLimits.maxFileBytes
    var maxDepth = ConfigLimits.maxNestingDepth
    var maxNodes = ConfigLimits.maxNodes

    func check(_ text: String) throws(DefinitionError) {
        let size = text.utf8.count
        guard size <= maxBytes else {
            throw DefinitionError(
                file: file, line: 0, column: 0,
                message: "the file is \(size) bytes; files over \(maxBytes) bytes (1 MiB) are not read")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        let problem = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return walk(&parser)
        }
        if let problem { throw problem }
    }

    /// Reads the events to the end of the stream; the first limit passed, or `nil`.
    private func walk(_ parser: inout yaml_parser_t) -> DefinitionError? {
        var expandedSize: [String: Int] = [:]
        // For each open mapping or list: its anchor, and the node count when it started.
        var open: [(anchor: String?, startCount: Int)] = []
        var count = 0
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
            defer { yaml_event_delete(&event) }
            let mark = event.start_mark
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return nil
            case YAML_SCALAR_EVENT:
                count += 1
                if let anchor = Self.name(event.data.scalar.anchor) { expandedSize[anchor] = 1 }
            case YAML_ALIAS_EVENT:
                let anchor = Self.name(event.data.alias.anchor) ?? ""
                count += expandedSize[anchor] ?? 1
                if count > maxNodes {
                    return error(
                        at: mark,
                        "the aliases in this file expand to more than \(maxNodes) values (a 'billion laughs' file?); "
                            + "the alias '*\(anchor)' here goes past the limit")
                }
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                count += 1
                let anchor =
                    event.type == YAML_SEQUENCE_START_EVENT
                    ? Self.name(event.data.sequence_start.anchor) : Self.name(event.data.mapping_start.anchor)
                open.append((anchor, count))
                if open.count > maxDepth {
                    return error(at: mark, "mappings and lists nest more than \(maxDepth) levels deep here")
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return nil }
                if let anchor = closed.anchor { expandedSize[anchor] = count - closed.startCount + 1 }
            default:
                break
            }
            if count > maxNodes {
                return error(at: mark, "the file holds more than \(maxNodes) values; this one goes past the limit")
            }
        }
    }

    private func error(at mark: yaml_mark_t, _ message: String) -> DefinitionError {
        DefinitionError(file: file, line: mark.line + 1, column: mark.column + 1, message: message)
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
