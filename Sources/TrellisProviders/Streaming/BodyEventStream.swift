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
///
/// Each chunk must come within the idle limit (the provider's `timeout`); the reply and each of its lines are
/// capped (``ReplyLimits``); the reply completes at its terminal marker without waiting for the server to close the
/// connection. A timeout before the first event was handed out re-sends the request, under the retry policy.
private final class BodyEventStream<Decoder: StreamDecoder>: @unchecked Sendable {
    let http: ProviderHTTPClient
    let url: String
    let body: String
    let accept: String
    let retry: RetryPolicy
    let decodeError: @Sendable (String) -> (message: String, code: String?)
    let freshDecoder: Decoder
    var decoder: Decoder
    var pending: [ModelEvent] = []
    var cursor = 0
    var reader: IdleTimedBody?
    var started = false
    var finished = false
    var handedOut = false
    var attempts = 0
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
        var decoder = decoder
        decoder.limitLines(to: http.limits.maxLineBytes)
        self.freshDecoder = decoder
        self.decoder = decoder
    }

    var provider: String { http.configuration.name }

    func next() async throws -> ModelEvent? {
        while true {
            do {
                let event = try await step()
                if event != nil { handedOut = true }
                return event
            } catch let error as ProviderError where !handedOut && (reader == nil || error.isTimeout) {
                // Nothing reached the consumer yet: the request may be sent again, as any unanswered request.
                attempts += 1
                guard let wait = retry.delay(before: attempts, after: error) else { throw error }
                try await retry.sleep(wait)
                restart()
            }
        }
    }

    private func restart() {
        decoder = freshDecoder
        pending.removeAll()
        cursor = 0
        reader = nil
        started = false
        receivedBytes = 0
    }

    private func step() async throws -> ModelEvent? {
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
                let response = try await http.post(url, body: body, accept: accept, decodeError: decodeError)
                status = Int(response.status.code)
                reader = IdleTimedBody(response.body)
                continue
            }
            let chunk = try await readChunk()
            if let chunk {
                receivedBytes += chunk.readableBytes
                if receivedBytes > http.limits.maxStreamBytes {
                    throw ProviderError.replyTooLarge(
                        provider: provider,
                        "the streamed reply exceeds \(ReplyLimits.describe(http.limits.maxStreamBytes))",
                        status: status)
                }
                pending += try decode { try decoder.feed(chunk.readableBytesView) }
            } else if receivedBytes == 0 {
                throw ProviderError.streamRefused(provider: provider, status: status)
            } else {
                pending += try decode { try decoder.finish() }
            }
            if decoder.isDone {
                finished = true
                pending.append(.completed(decoder.response()))
                // Done at the terminal marker: a server that keeps the connection open after it must not hold
                // the answer back. Dropping the body cancels its request, which closes that connection.
                reader = nil
            } else if chunk == nil {
                throw ProviderError.truncatedStream(
                    provider: provider, message: "the stream ended before its terminal marker")
            }
        }
    }

    /// The next chunk within the idle limit, or `nil` at the end of the body.
    private func readChunk() async throws -> ByteBuffer? {
        let idle = http.limits.idleTimeout ?? http.configuration.timeout
        do {
            let chunk = try await reader?.next(within: idle)
            if Task.isCancelled { throw CancellationError() }
            return chunk
        } catch is IdleTimedBody.Stalled {
            throw ProviderError.streamStalled(provider: provider, after: idle)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw ProviderError.truncatedStream(
                provider: provider, message: "the stream broke before its end: \(ProviderHTTPClient.describe(error))")
        }
    }

    /// Runs a decoder step, naming the cap when one line of the reply is too long.
    private func decode(_ step: () throws -> [ModelEvent]) throws -> [ModelEvent] {
        do {
            return try step()
        } catch let error as StreamLineTooLong {
            throw ProviderError.replyTooLarge(
                provider: provider,
                "one line of the streamed reply exceeds \(ReplyLimits.describe(error.limit))", status: status)
        }
    }
}
