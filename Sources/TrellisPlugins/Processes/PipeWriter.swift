#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to a child's non-blocking stdin, as much as the pipe takes.
enum PipeWriter {
    /// How far a write got.
    enum Progress {
        /// Every byte is written.
        case done
        /// The pipe is full: wait until it is writable, then write the rest.
        case full
        /// The child stopped reading (EPIPE) or another error; `errno` says which.
        case closed
    }

    /// Writes `bytes` from `offset` on, advancing `offset`, until all is written, the pipe is full or it fails.
    static func write(_ descriptor: Int32, _ bytes: [UInt8], from offset: inout Int) -> Progress {
        while offset < bytes.count {
            let start = offset
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + start, $0.count - start) }
            if count > 0 {
                offset += count
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN {
                return .full
            } else {
                return .closed
            }
        }
        return .done
    }
}
