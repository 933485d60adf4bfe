#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Child processes we write to (plugins, MCP servers) may exit at any moment.
package enum BrokenPipe {
    /// Makes writing to a child that has exited fail with EPIPE instead of ending the runtime with SIGPIPE; done
    /// once per process. Children get the default disposition back when they are spawned.
    package static let ignore: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}
