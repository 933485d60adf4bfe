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
