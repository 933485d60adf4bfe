import TrellisCore

/// Reads the replies of Yandex's non-chat endpoints: `textEmbedding` and `fewShotTextClassification`
/// (PROVIDERS §6.8). Numbers may come as JSON numbers or as strings; both are accepted.
enum YandexSideDecoder {
    /// The vector of a `{"embedding":[...],"numTokens":"6"}` reply.
    static func embedding(from body: String, provider: String, status: Int) throws -> [Double] {
        let json = try parse(body, provider: provider, status: status)
        guard let values = json["embedding"]?.arrayValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no embedding", status: status, body: body)
        }
        return try values.map { value in
            guard let number = self.number(value) else {
                throw ProviderError.malformedResponse(
                    provider: provider, message: "an embedding value is not a number", status: status, body: body)
            }
            return number
        }
    }

    /// The predictions of a `{"predictions":[{"label","confidence"}]}` reply, most confident first.
    static func predictions(from body: String, provider: String, status: Int) throws -> [ClassificationPrediction] {
        let json = try parse(body, provider: provider, status: status)
        guard let items = json["predictions"]?.arrayValue else {
            throw ProviderError.malformedResponse(
                provider: provider, message: "the reply has no predictions", status: status, body: body)
        }
        let predictions = try items.map { item in
            guard let label = item["label"]?.stringValue, let confidence = item["confidence"].flatMap(number) else {
                throw ProviderError.malformedResponse(
                    provider: provider, message: "a prediction has no label or confidence", status: status, body: body)
            }
            return ClassificationPrediction(label: label, confidence: confidence)
        }
        return predictions.enumerated().sorted {
            $0.element.confidence == $1.element.confidence
                ? $0.offset < $1.offset : $0.element.confidence > $1.element.confidence
        }.map(\.element)
    }

    /// A finite number, or a string holding one (proto-JSON writes some doubles as strings). `Double("nan")` and
    /// `Double("inf")` parse, but no embedding value or confidence is either.
    static func number(_ value: JSONValue) -> Double? {
        let number = value.doubleValue ?? value.stringValue.flatMap { Double($0) }
        return number.flatMap { $0.isFinite ? $0 : nil }
    }

    private static func parse(_ body: String, provider: String, status: Int) throws -> JSONValue {
        try ReplyBody.parse(body, provider: provider, status: status, decodeError: YandexResponseDecoder.errorMessage)
    }
}
