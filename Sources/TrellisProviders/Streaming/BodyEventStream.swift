import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TrellisCore

extension ProviderHTTPClient {
    /// Sends a streaming request (with retries for the request itself) and decodes the reply as it arrives.
    ///
    /// Pull-based: the request is sent on the first `next()`, and each later call reads just enough of the body to
    /// produce one event, so abandoning the iteration cancels the request. The last event is
    /// ``ModelEvent/completed(_:)``. Errors never carry the key or any other secret (``secrets``).
    func eventStream(
        _ url: String, body: String, accept: String, retry: RetryPolicy,
        decodeError: @escaping @Sendable (String) -> (message: String, code: String?),
        decoder: some StreamDecoder
    ) -> AsyncThrowingStream<ModelEvent, any Error> {
        let state = BodyEventStream(
            http: self, url: url, body: body, accept: accept, retry: retry, decodeError: decodeError,
            decoder: decoder)
        return AsyncThrowingStream(unfolding: { [self] in
            do {
                return try await state.next()
            } catch let error as ProviderError {
                throw redacting(error)
            }
        })
    }
}

/// The state of one streamed reply. Only the stream's single consumer touches it, one call at a time.
private final class BodyEventStream<Decoder: StreamDecoder>: @unchecked Sendable {
    let http: ProviderHTTPClient
    let url: String
    let body: String
    let accept: String
    let retry: RetryPolicy
    let decodeError: @Sendable (String) -> (message: String, code: String?)
    var decoder: Decoder
    var pending: [ModelEvent] = []
    var cursor = 0
    var iterator: HTTPClientResponse.Body.AsyncIterator?
    var started = false
    var finished = false
    var status = 200
    var receivedBytes = 0

    init(
        http: ProviderHTTPClient, url: String, body: String, accept: String, retry: RetryPolicy,
        decodeError: @escaping @Sendable (String) -> (message: String, code: String?), decoder: Decoder
    ) {
        self.http = http
        self.url = url
        self.body = body
        self.accept = accept
        self.retry = retry
        self.decodeError = decodeError
        self.decoder = decoder
    }

    func next() async throws -> ModelEvent? {
        while true {
            if cursor < pending.count {
                defer { cursor += 1 }
                return pending[cursor]
            }
            pending.removeAll(keepingCapacity: true)
            cursor = 0
            if finished { return nil }
            if !started {
                started = true
                let response = try await retry.run {
                    try await http.post(url, body: body, accept: accept, decodeError: decodeError)
                }
                status = Int(response.status.code)
                iterator = response.body.makeAsyncIterator()
                continue
            }
            let chunk: ByteBuffer?
            do {
                chunk = try await iterator?.next()
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw ProviderError.truncatedStream(
                    provider: http.configuration.name,
                    message: "the stream broke before its end: \(ProviderHTTPClient.describe(error))")
            }
            if let chunk {
                receivedBytes += chunk.readableBytes
                pending += try decoder.feed(chunk.readableBytesView)
            } else if receivedBytes == 0 {
                throw ProviderError.streamRefused(provider: http.configuration.name, status: status)
            } else {
                pending += try decoder.finish()
            }
            if decoder.isDone {
                finished = true
                pending.append(.completed(decoder.response()))
                // Reads what follows the terminal marker so the connection can be reused.
                while (try? await iterator?.next()) != nil {}
                iterator = nil
            } else if chunk == nil {
                throw ProviderError.truncatedStream(
                    provider: http.configuration.name, message: "the stream ended before its terminal marker")
            }
        }
    }
}
