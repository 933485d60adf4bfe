import TrellisCore

/// The first step of decoding any vendor's reply: the body as JSON, or the reason it is not a reply.
enum ReplyBody {
    /// Parses a 2xx body.
    ///
    /// - Parameters:
    ///   - isError: Whether the parsed body is the vendor's error object rather than a reply; by default, a
    ///     non-null `error` member.
    ///   - decodeError: Extracts the vendor's message and code from an error body.
    /// - Throws: ``ProviderError/malformedResponse(provider:message:status:body:)`` naming the provider, the status
    ///   and the first bytes of a body that is not JSON, and ``ProviderError/http(provider:status:message:vendorCode:body:retryAfter:)``
    ///   for an error object sent with a success status.
    static func parse(
        _ body: String, provider: String, status: Int,
        isError: (JSONValue) -> Bool = { $0["error"].map { !$0.isNull } ?? false },
        decodeError: (String) -> (message: String, code: String?)
    ) throws -> JSONValue {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply is not JSON (\(error))", status: status, body: body)
        }
        if isError(json) {
            let decoded = decodeError(body)
            throw ProviderError.http(
                provider: provider, status: status, message: decoded.message, vendorCode: decoded.code, body: body)
        }
        return json
    }

    /// Parses one line of a newline-delimited JSON stream (Yandex, Ollama).
    ///
    /// - Throws: ``ProviderError/malformedResponse(provider:message:status:body:)`` for a line that is not JSON, and
    ///   ``ProviderError/streamError(provider:message:vendorCode:)`` for an `{"error": ...}` line.
    static func parseStreamLine(
        _ line: String, provider: String, decodeError: (String) -> (message: String, code: String?)
    ) throws -> JSONValue {
        let json: JSONValue
        do {
            json = try JSONValue.parse(line)
        } catch {
            throw ProviderError.malformedResponse(
                provider: provider, message: "a stream line is not JSON (\(error))", status: 200, body: line)
        }
        if let error = json["error"], !error.isNull {
            let decoded = decodeError(line)
            throw ProviderError.streamError(provider: provider, message: decoded.message, vendorCode: decoded.code)
        }
        return json
    }
}
