/// A JSON value. Objects keep their key order, as jq does; numbers keep the text they were read from, so a
/// 64-bit id passes through unchanged even though arithmetic works on `Double`.
indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    /// A number and, when it was read from a document and not computed, its original text.
    case number(Double, literal: String? = nil)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// jq's name for the value's type.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// jq truthiness: everything but `false` and `null` is true.
    var isTruthy: Bool {
        switch self {
        case .null, .bool(false): return false
        default: return true
        }
    }

    /// The number, if this is one.
    var doubleValue: Double? {
        if case .number(let value, _) = self { return value }
        return nil
    }

    /// The string, if this is one.
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The member `key` of an object, if this is an object that has it.
    subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}

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

// MARK: - Ordering

extension JSON: Comparable {
    /// jq's total order: null < false < true < numbers < strings < arrays < objects; strings by code point,
    /// arrays element by element, objects by their sorted key sets and then by the values under those keys.
    static func < (lhs: JSON, rhs: JSON) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: JSON, rhs: JSON) -> Bool { compare(lhs, rhs) == 0 }

    private var rank: Int {
        switch self {
        case .null: return 0
        case .bool(false): return 1
        case .bool(true): return 2
        case .number: return 3
        case .string: return 4
        case .array: return 5
        case .object: return 6
        }
    }

    /// -1, 0 or 1.
    static func compare(_ lhs: JSON, _ rhs: JSON) -> Int {
        switch (lhs, rhs) {
        case (.number(let left, _), .number(let right, _)):
            return left < right ? -1 : left > right ? 1 : 0
        case (.string(let left), .string(let right)):
            return compareText(left, right)
        case (.array(let left), .array(let right)):
            for (leftElement, rightElement) in zip(left, right) {
                let order = compare(leftElement, rightElement)
                if order != 0 { return order }
            }
            return left.count < right.count ? -1 : left.count > right.count ? 1 : 0
        case (.object(let left), .object(let right)):
            let leftKeys = left.keys.sorted(by: { compareText($0, $1) < 0 })
            let rightKeys = right.keys.sorted(by: { compareText($0, $1) < 0 })
            let keyOrder = compare(.array(leftKeys.map(JSON.string)), .array(rightKeys.map(JSON.string)))
            if keyOrder != 0 { return keyOrder }
            for key in leftKeys {
                let order = compare(left[key]!, right[key]!)
                if order != 0 { return order }
            }
            return 0
        default:
            return lhs.rank < rhs.rank ? -1 : lhs.rank > rhs.rank ? 1 : 0
        }
    }

    /// Code-point order (UTF-8 byte order), not Swift's canonical-equivalence order.
    static func compareText(_ lhs: String, _ rhs: String) -> Int {
        if lhs.utf8.elementsEqual(rhs.utf8) { return 0 }
        return lhs.utf8.lexicographicallyPrecedes(rhs.utf8) ? -1 : 1
    }
}
