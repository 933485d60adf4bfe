import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer TOKEN` with one of the configured tokens on every request but `/healthz` and
/// `/readyz`. Tokens are compared in constant time, so the time a refusal takes says nothing about a token.
struct BearerTokens<Context: RequestContext>: RouterMiddleware {
    let tokens: [[UInt8]]

    init(_ tokens: [String]) { self.tokens = tokens.map { Array($0.utf8) } }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        if tokens.isEmpty || path == "/healthz" || path == "/readyz" { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(
                .unauthorized, type: "authentication_error", code: "missing_token",
                message: "this server needs 'Authorization: Bearer TOKEN' (one of TRELLIS_API_TOKENS)")
        }
        let given = Array(header.utf8.dropFirst("Bearer ".utf8.count))
        // Every token is compared, whatever matched, for a constant time.
        var matched = false
        for token in tokens where Self.equal(token, given) { matched = true }
        guard matched else {
            throw APIError(
                .unauthorized, type: "authentication_error", code: "invalid_token",
                message: "the bearer token is not one of TRELLIS_API_TOKENS")
        }
        return try await next(request, context)
    }

    /// Compares two byte strings in time that depends on their lengths only.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
