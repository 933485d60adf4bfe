import HTTPTypes
import Hummingbird
import NIOCore
import TrellisCore

/// An error answered in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`, with its HTTP status.
///
/// Every error of the server's API has this shape, so an OpenAI client raises its usual exceptions
/// (`NotFoundError` for 404, `BadRequestError` for 400...) with the message.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// OpenAI's error type: `invalid_request_error`, `authentication_error`, `rate_limit_error`, `server_error`.
    public var type: String
    /// A stable code: `model_not_found`, `run_not_found`, `invalid_request`...
    public var code: String
    /// What is wrong.
    public var message: String
    /// The request field at fault, if any.
    public var param: String?
    /// Extra headers (`Retry-After`).
    public var headers: HTTPFields = [:]

    /// Creates an error.
    public init(
        _ status: HTTPResponse.Status, type: String = "invalid_request_error", code: String, message: String,
        param: String? = nil
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The body's JSON.
    public var json: JSONValue {
        [
            "error": [
                "message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null,
                "code": .string(code),
            ]
        ]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(json, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// A request that cannot be read (400).
    public static func invalid(_ message: String, param: String? = nil) -> APIError {
        APIError(.badRequest, code: "invalid_request", message: message, param: param)
    }

    /// No run of that id (404).
    public static func runNotFound(_ id: String) -> APIError {
        APIError(.notFound, code: "run_not_found", message: "no run '\(id)'")
    }
}

/// JSON responses.
enum JSONResponse {
    /// A response with `value` as its JSON body.
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized())))
    }
}

extension Request {
    /// The body as JSON, at most `limit` bytes.
    ///
    /// - Throws: ``APIError`` 413 for a larger body, 400 for one that is not JSON.
    mutating func json(limit: Int) async throws -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, code: "request_too_large", message: "the request body is over \(limit) bytes")
        }
        do {
            return try JSONValue.parse(bytes: buffer.readableBytesView)
        } catch {
            throw APIError.invalid("the request body is not valid JSON: \(error)")
        }
    }
}
