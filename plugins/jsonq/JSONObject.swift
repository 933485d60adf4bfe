/// An object's members in insertion order; a repeated key keeps its first position and its last value.
struct JSONObject: Sendable {
    private(set) var keys: [String] = []
    private var values: [String: JSON] = [:]

    init() {}

    init(_ members: [(String, JSON)]) {
        for (key, value) in members { self[key] = value }
    }

    var count: Int { keys.count }

    /// The members in order.
    var members: [(key: String, value: JSON)] { keys.map { ($0, values[$0]!) } }

    subscript(key: String) -> JSON? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil, values[key] != nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }
}
