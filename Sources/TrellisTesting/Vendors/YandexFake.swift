import TrellisCore

/// Yandex Foundation Models' native REST API as documented (PROVIDERS §6): `POST /foundationModels/v1/completion`
/// at the server's origin, `Authorization: Api-Key <key>` or `Bearer <IAM token>`, replies wrapped in `result` with
/// int64 counters as strings, streams as newline-delimited JSON with cumulative text, and grpc-gateway error bodies.
///
/// ```swift
/// YandexFake.install(on: server, key: "AQVN-test", folder: "b1gfolder")
/// server.enqueue(YandexFake.reply(.text("Привет!"), stream: true))
/// ```
public enum YandexFake: VendorFake {
    /// The model version every reply names.
    public static let modelVersion = "23.10.2024"

    public static func baseURL(of server: FakeVendorServer) -> String { server.origin }

    public static func install(on server: FakeVendorServer, key: String) {
        install(on: server, key: key, folder: nil)
    }

    /// Refuses requests without `Authorization: Api-Key <key>` or `Bearer <key>` (401, gRPC 16) and, when `folder`
    /// is given, requests whose `x-folder-id` is not that folder (400, gRPC 3).
    public static func install(on server: FakeVendorServer, key: String, folder: String?) {
        server.gate { request in
            let authorization = request.header("Authorization")
            guard authorization == "Api-Key \(key)" || authorization == "Bearer \(key)" else {
                let presented = authorization?.split(separator: " ").last.map(String.init) ?? ""
                // Yandex names the key it did not know by its first characters only.
                return grpcError(
                    status: 401, grpcCode: 16, message: "Unknown api key '\(presented.prefix(4))****'")
            }
            if let folder, request.header("x-folder-id") != folder {
                let sent = request.header("x-folder-id") ?? ""
                return grpcError(
                    status: 400, grpcCode: 3,
                    message: "Specified folder ID '\(sent)' does not match with service account folder ID '\(folder)'")
            }
            return nil
        }
    }

    public static func reply(_ reply: FakeReply, stream: Bool) -> FakeResponse {
        guard stream else { return .json(body(reply)) }
        return FakeResponse(
            headers: [HTTPHeaderField(name: "Content-Type", value: "application/json")],
            chunks: lines(reply).map { $0 + "\n" })
    }

    public static func error(status: Int, message: String, retryAfter: Int?) -> FakeResponse {
        var response = grpcError(status: status, grpcCode: grpcCode(forHTTP: status), message: message)
        if let retryAfter { response.headers.append(HTTPHeaderField(name: "retry-after", value: String(retryAfter))) }
        return response
    }

    /// A grpc-gateway error: `{"error":{"grpcCode","httpCode","message","httpStatus","details":[]}}`.
    public static func grpcError(status: Int, grpcCode: Int, message: String) -> FakeResponse {
        .json(errorBody(status: status, grpcCode: grpcCode, message: message).serialized(), status: status)
    }

    /// The body of a grpc-gateway error; also the shape of an error line in a stream.
    public static func errorBody(status: Int, grpcCode: Int, message: String) -> JSONValue {
        [
            "error": [
                "grpcCode": .integer(grpcCode), "httpCode": .integer(status), "message": .string(message),
                "httpStatus": .string(statusText(status)), "details": [],
            ]
        ]
    }

    /// Yandex's answer for a refused topic: HTTP 400 "An answer to a given topic cannot be generated".
    public static func topicRefusal() -> FakeResponse {
        grpcError(status: 400, grpcCode: 3, message: "An answer to a given topic cannot be generated")
    }

    /// The gRPC code grpc-gateway pairs with an HTTP status.
    static func grpcCode(forHTTP status: Int) -> Int {
        [400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4][status] ?? 2
    }

    static func statusText(_ status: Int) -> String {
        [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
            429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
            503: "Service Unavailable", 504: "Gateway Timeout",
        ][status] ?? "Unknown"
    }

    static func status(_ reply: FakeReply) -> String {
        reply.truncated
            ? "ALTERNATIVE_STATUS_TRUNCATED_FINAL"
            : reply.calls.isEmpty ? "ALTERNATIVE_STATUS_FINAL" : "ALTERNATIVE_STATUS_TOOL_CALLS"
    }

    /// `usage` with every counter as a string.
    static func usage(input: Int, output: Int) -> JSONValue {
        [
            "inputTextTokens": .string(String(input)), "completionTokens": .string(String(output)),
            "totalTokens": .string(String(input + output)),
        ]
    }

    /// One `result` object: the message (text, or a `toolCallList` whose arguments are objects), the status and
    /// usage.
    static func result(text: String, calls: [FakeReply.Call], status: String, input: Int, output: Int) -> JSONValue {
        var message: JSONObject = ["role": "assistant"]
        if calls.isEmpty {
            message["text"] = .string(text)
        } else {
            let list: [JSONValue] = calls.map { call in
                let arguments = (try? JSONValue.parse(call.arguments)) ?? [:]
                return ["functionCall": ["name": .string(call.name), "arguments": arguments]]
            }
            message["toolCallList"] = ["toolCalls": .array(list)]
        }
        return [
            "result": [
                "alternatives": [["message": .object(message), "status": .string(status)]],
                "usage": usage(input: input, output: output), "modelVersion": .string(modelVersion),
            ]
        ]
    }

    /// A non-streamed completion body, wrapped in `result`.
    public static func body(_ reply: FakeReply) -> String {
        result(
            text: reply.text, calls: reply.calls, status: status(reply), input: reply.inputTokens,
            output: reply.outputTokens
        ).serialized()
    }

    /// The lines of a streamed reply, without newlines: two or three `PARTIAL` lines whose text grows (each holds
    /// all the text so far), then a line with the final status, the whole text and any tool calls.
    public static func lines(_ reply: FakeReply) -> [String] {
        let characters = Array(reply.text)
        let steps = characters.count >= 3 ? 3 : 2
        var lines: [String] = []
        for step in 1..<steps {
            let prefix = String(characters.prefix(characters.count * step / steps))
            lines.append(
                result(
                    text: prefix, calls: [], status: "ALTERNATIVE_STATUS_PARTIAL", input: reply.inputTokens,
                    output: reply.outputTokens * step / steps
                ).serialized())
        }
        lines.append(body(reply))
        return lines
    }

    /// A `textEmbedding` reply; `asStrings` writes the values as strings, as the REST table types them.
    public static func embedding(_ values: [Double], asStrings: Bool = false) -> FakeResponse {
        let body: JSONValue = [
            "embedding": .array(values.map { asStrings ? .string(String($0)) : .number($0) }), "numTokens": "6",
            "modelVersion": .string(modelVersion),
        ]
        return .json(body.serialized())
    }

    /// A `fewShotTextClassification` reply, in the order given; `asStrings` writes confidences as strings.
    public static func classification(_ predictions: [ClassificationPrediction], asStrings: Bool = false)
        -> FakeResponse
    {
        let items: [JSONValue] = predictions.map {
            [
                "label": .string($0.label),
                "confidence": asStrings ? .string(String($0.confidence)) : .number($0.confidence),
            ]
        }
        let body: JSONValue = [
            "predictions": .array(items), "modelVersion": .string(modelVersion), "inputTokens": "71",
        ]
        return .json(body.serialized())
    }
}
