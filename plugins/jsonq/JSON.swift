/// A JSON value. Objects keep their key order, as jq does; numbers keep the text they were read from, so a
/// 64-bit id passes through unchanged even though arithmetic works on `Double`.
enum JSON: Sendable {
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
