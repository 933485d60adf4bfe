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
        /// The child closed its stdin or exited (EPIPE), or another error; `errno` says which.
        case closed
    }

    /// Writes `bytes` from `offset` on, advancing `offset`, until all is written, the pipe is full or it fails.
    static func write(_ descriptor: Int32, _ bytes: [UInt8], from offset: inout Int) -> Progress {
        while offset < bytes.count {
            let start = offset
            let count = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + start, $0.count - start) }
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

    /// The C library's `write`, which this type's own `write` hides.
    private static func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, bytes, count)
        #elseif canImport(Musl)
            Musl.write(descriptor, bytes, count)
        #else
            Darwin.write(descriptor, bytes, count)
        #endif
    }
}
