#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C library's functions that Swift's Glibc module does not declare (they sit behind `_GNU_SOURCE`), looked up
/// once at run time; `nil` when this C library or kernel lacks them.
package enum LibcExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    typealias SpawnActions = UnsafeMutablePointer<posix_spawn_file_actions_t>
    typealias AddChdir = @convention(c) (SpawnActions, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (SpawnActions, Int32) -> Int32

    /// `pipe2` (glibc 2.9).
    static let pipe2: Pipe2? = symbol("pipe2")
    /// `pidfd_open` (glibc 2.36, Linux 5.3): a descriptor that polls readable once the process has exited.
    static let pidfdOpen: PidfdOpen? = symbol("pidfd_open")
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29, musl 1.1.24).
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np")
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34).
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")

    /// A pipe whose two ends are close-on-exec from the start, so that no child spawned meanwhile by another
    /// thread inherits them; `nil` with `errno` set when it cannot be made.
    package static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
        } else {
            guard pipe(&ends) == 0 else { return nil }
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }

    /// Makes the child close every descriptor above stderr (when the C library can; otherwise it keeps what was
    /// opened without close-on-exec, and Trellis opens nothing so).
    static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        _ = addCloseFrom?(&actions, 3)
    }

    private static func symbol<Function>(_ name: String) -> Function? {
        #if os(Linux)
            guard let address = dlsym(nil, name) else { return nil }
            return unsafeBitCast(address, to: Function.self)
        #else
            return nil
        #endif
    }
}
