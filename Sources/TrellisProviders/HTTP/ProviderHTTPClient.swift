import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TrellisCore

/// Sends JSON requests for an adapter: headers, deadline, retries, and failures turned into ``ProviderError``s
/// that never carry headers or keys.
struct ProviderHTTPClient: Sendable {
    let configuration: ProviderConfiguration
    let client: HTTPClient
    /// Headers the adapter adds (authentication); never printed.
    let headers: [HTTPHeaderField]
    /// Secrets besides the API key (Dewiar's `provider_api_key`) that must never appear in an error.
    var secrets: [String] = []

    /// `error` with the API key and every other secret replaced by `[redacted]`.
    func redacting(_ error: ProviderError) -> ProviderError {
        ([configuration.apiKey].compactMap { $0 } + secrets).reduce(error) { $0.redacting($1) }
    }

    /// Caps on the size of a reply and on the waits inside a streamed one.
    var limits = ReplyLimits()

    /// POSTs `body` to `url` once and returns the response if its status is 2xx.
    ///
    /// - Parameter decodeError: Extracts the vendor's message and code from an error body.
    /// - Throws: ``ProviderError`` for error statuses, timeouts and connection failures.
    func post(
        _ url: String, body: String, accept: String = "application/json",
        decodeError: (String) -> (message: String, code: String?)
    ) async throws -> HTTPClientResponse {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Accept", value: accept)
            for header in headers + configuration.headers {
                request.headers.replaceOrAdd(name: header.name, value: header.value)
            }
            request.body = .bytes(ByteBuffer(string: body))
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .nanoseconds(configuration.timeout.nanoseconds))
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw ProviderError.timeout(provider: configuration.name, after: configuration.timeout)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                throw ProviderError.connection(
                    provider: configuration.name,
                    message: "cannot reach \(URLCredentials.redacted(configuration.baseURL)): \(Self.describe(error))")
            }
            guard (200..<300).contains(response.status.code) else {
                let text = (try? await readBody(response)) ?? ""
                let decoded = decodeError(text)
                let retryAfter = RetryPolicy.retryAfter(
                    milliseconds: response.headers.first(name: "retry-after-ms"),
                    header: response.headers.first(name: "retry-after"), now: Date().timeIntervalSince1970)
                throw ProviderError.http(
                    provider: configuration.name, status: Int(response.status.code), message: decoded.message,
                    vendorCode: decoded.code, body: text, retryAfter: retryAfter)
            }
            return response
        }
    }

    /// POSTs `body` to `url` under `retry`, reads the whole reply and decodes it with its status; errors never
    /// carry the key. For the JSON endpoints beside chat (embeddings, classification).
    func postDecoding<T>(
        _ url: String, body: String, retry: RetryPolicy, decodeError: (String) -> (message: String, code: String?),
        decode: (String, Int) throws -> T
    ) async throws -> T {
        do {
            return try await retry.run {
                let response = try await post(url, body: body, decodeError: decodeError)
                return try decode(try await readBody(response), Int(response.status.code))
            }
        } catch let error as ProviderError {
            throw redacting(error)
        }
    }

    /// Reads a whole body as UTF-8 text, within ``ReplyLimits/maxBodyBytes`` and the request timeout (a server that sends its
    /// headers and then stalls does not hold the run forever).
    func readBody(_ response: HTTPClientResponse) async throws -> String {
        do {
            let body = response.body
            let timeout = configuration.timeout
            let maxBytes = limits.maxBodyBytes
            let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: maxBytes) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let buffer = first else {
                    throw ProviderError.timeout(provider: configuration.name, after: timeout)
                }
                return buffer
            }
            return String(buffer: buffer)
        } catch let error as ProviderError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw ProviderError.replyTooLarge(
                provider: configuration.name, "the reply exceeds \(ReplyLimits.describe(limits.maxBodyBytes))",
                status: Int(response.status.code))
        } catch {
            throw ProviderError.truncatedStream(
                provider: configuration.name,
                message: "the connection failed while reading the reply: \(Self.describe(error))")
        }
    }

    /// A short description of a transport error, without request details. Not cut here: ``ProviderError`` cuts
    /// its message only after redacting it.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("connectTimeout") { return "connection timed out" }
        if text.contains("remoteConnectionClosed") { return "the server closed the connection" }
        return text
    }
}
