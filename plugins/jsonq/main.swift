// jsonq: a jq-like JSON transformer, a Trellis executable plugin (protocol 1; see README.md and docs/plugins.md).
// Plain Swift without Foundation, which halves the start-up time; one request on stdin, one reply on stdout.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replies larger than this become an error reply instead, under the runtime's default 1 MiB output cap.
let maximumReplyBytes = 1_000_000

func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if count > 0 {
            bytes += buffer[0..<count]
        } else if count == 0 || errno != EINTR {
            return bytes
        }
    }
}

func fail(_ message: String) -> Never {
    var line = "jsonq: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

let request: JSON
do {
    request = try JSONParser.parse(readStandardInput())
} catch {
    fail("the request on stdin is not JSON: \(error.description)")
}
guard case .object = request else { fail("the request on stdin is not a JSON object") }

func reply(_ content: JSON, isError: Bool = false) -> Never {
    var object = JSONObject([("content", content), ("is_error", .bool(isError))])
    if case .string(let callID)? = request["call_id"] { object["call_id"] = .string(callID) }
    let text = JSONWriter().write(.object(object))
    if text.utf8.count > maximumReplyBytes, !isError {
        reply(
            .string(
                "the result is \(text.utf8.count) bytes, more than the \(maximumReplyBytes) a reply may hold; "
                    + "narrow the filter (e.g. .[0:10], map({id, name}))"),
            isError: true)
    }
    print(text)
    exit(0)
}

func errorReply(_ message: String) -> Never { reply(.string(message), isError: true) }

/// The document: a string holding JSON text (or, leniently, a JSON value given directly).
func document(_ arguments: JSON) -> JSON {
    switch arguments["json"] {
    case .string(let text)?:
        do {
            return try JSONParser.parse(text)
        } catch {
            errorReply("'json' is not valid JSON: \(error.description)")
        }
    case nil, .null?: errorReply("'json' is required: the JSON document as a string")
    case let value?: return value
    }
}

/// `.a | map(.b)`: one output is the value itself, any other number of outputs an array of them.
func query(_ arguments: JSON) -> Never {
    guard case .string(let text)? = arguments["filter"] else {
        errorReply("'filter' is required: a jq filter such as .items[] | select(.price > 10) | .name")
    }
    let filter: Filter
    do {
        filter = try FilterParser.parse(text)
    } catch {
        let caret = String(repeating: " ", count: error.column - 1) + "^"
        errorReply("filter syntax error at column \(error.column): \(error.message)\n  \(text)\n  \(caret)")
    }
    let input = document(arguments)
    do {
        let outputs = try FilterEvaluator.evaluate(filter, input)
        reply(outputs.count == 1 ? outputs[0] : .array(outputs))
    } catch {
        errorReply("filter error: \(error.message)")
    }
}

/// Pretty-prints with `indent` spaces (default 2), or minifies with 0.
func format(_ arguments: JSON) -> Never {
    var writer = JSONWriter(indent: 2)
    switch arguments["indent"] {
    case nil, .null?: break
    case .number(let indent, _)? where indent >= 0 && indent <= 16 && indent == indent.rounded():
        writer.indent = Int(indent)
    case let other?: errorReply("'indent' must be an integer from 0 to 16, not \(FilterEvaluator.describe(other))")
    }
    switch arguments["sort_keys"] {
    case nil, .null?: break
    case .bool(let flag)?: writer.sortKeys = flag
    case let other?: errorReply("'sort_keys' must be a boolean, not \(FilterEvaluator.describe(other))")
    }
    reply(.string(writer.write(document(arguments))))
}

guard case .number(1, _)? = request["protocol"] else {
    errorReply("unsupported protocol \(request["protocol"].map { JSONWriter().write($0) } ?? "(none)"); jsonq speaks 1")
}
let arguments = request["arguments"] ?? .object(JSONObject())
guard case .object = arguments else { errorReply("'arguments' must be a JSON object") }
switch request["tool"] {
case .string("query")?: query(arguments)
case .string("format")?: format(arguments)
case let tool: errorReply("unknown tool \(tool.map { JSONWriter().write($0) } ?? "(none)"); jsonq has: query, format")
}
