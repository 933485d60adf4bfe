/// A parsed jq filter: each case produces zero or more outputs from one input.
indirect enum Filter: Sendable {
    /// `.`
    case identity
    /// `..`: the input and every value inside it, depth first.
    case recurse
    /// `base.name`, `base."name"`, `base["name"]` with a literal key.
    case field(Filter, String)
    /// `base[expression]`: an array index (negative counts from the end) or an object key.
    case index(Filter, Filter)
    /// `base[from:to]` on an array or string; either bound may be missing.
    case slice(Filter, from: Filter?, to: Filter?)
    /// `base[]`: the elements of an array or the values of an object.
    case iterate(Filter)
    /// `base?`: errors become no output.
    case optional(Filter)
    /// A number, string, `true`, `false` or `null`.
    case literal(JSON)
    /// `lhs | rhs`
    case pipe(Filter, Filter)
    /// `lhs, rhs`: the outputs of both.
    case comma(Filter, Filter)
    /// `lhs // rhs`: the truthy outputs of lhs, or else those of rhs.
    case alternative(Filter, Filter)
    /// `lhs and rhs`, `lhs or rhs`
    case logic(Filter, LogicOperator, Filter)
    /// `lhs == rhs` and the other comparisons.
    case compare(Filter, ComparisonOperator, Filter)
    /// `lhs + rhs` and the other arithmetic.
    case arithmetic(Filter, ArithmeticOperator, Filter)
    /// `-operand`
    case negate(Filter, column: Int)
    /// `[filter]` or `[]`: one array of all the outputs.
    case collect(Filter?)
    /// `{key: value, ...}`: one object per combination of the values' outputs.
    case construct([ObjectEntry])
    /// A builtin function, its arity checked when parsed.
    case call(String, [Filter])
}

/// One `key: value` of an object construction.
struct ObjectEntry: Sendable {
    /// A fixed key (`name`, `"a b"`), or a filter whose string outputs are keys (`(.k)`).
    enum Key: Sendable {
        case fixed(String)
        case computed(Filter)
    }

    let key: Key
    let value: Filter
}
