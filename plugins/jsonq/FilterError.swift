/// A filter that fails on its input, such as `.a` on a number.
struct FilterError: Error, Sendable {
    /// What went wrong, e.g. `cannot iterate over number (3)`.
    let message: String
}
