import AsyncHTTPClient
import NIOCore

/// A response body read chunk by chunk, each chunk within an idle deadline: the request's own deadline covers
/// only the response head, so a server that stalls mid-body would otherwise hold the reader forever.
///
/// Only one reader calls ``next(within:)`` at a time; it is the iterator's single owner.
final class IdleTimedBody: @unchecked Sendable {
    /// No chunk came within the idle limit.
    struct Stalled: Error {}

    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ body: HTTPClientResponse.Body) {
        iterator = body.makeAsyncIterator()
    }

    /// The next chunk, or `nil` at the end of the body.
    ///
    /// - Throws: ``Stalled`` when nothing came within `limit` (the read is cancelled, which closes the
    ///   connection); the transport's error when the connection broke.
    func next(within limit: Duration) async throws -> ByteBuffer? {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await self.read() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw Stalled()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    private func read() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
