#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `/bin/sh` child that kills what Trellis spawned once Trellis is gone, even by SIGKILL.
///
/// Its stdin is a pipe whose only write end Trellis holds (close-on-exec, so no other child inherits it). When
/// Trellis exits for any reason the kernel closes that end, the shell's `read` sees end of file, and it sends
/// SIGKILL to every process whose environment carries one of this process's ``SpawnMark``s, scanning `/proc`
/// until none is left (at most 10 rounds). It ignores the terminal's signals and runs in a process group of its
/// own, so a Ctrl-C meant for Trellis does not stop it first, and works in `/`, so it holds no folder of the
/// workspace. Nothing is written to it: a spawn costs nothing.
package enum ProcessWatchdog {
    /// The shell script; `$1` is ``SpawnMark/instance``.
    static let script = """
        cd /
        trap '' INT TERM HUP QUIT PIPE
        while read -r _; do :; done
        round=0
        while [ "$round" -lt 10 ]; do
          found=
          for environ in /proc/[0-9]*/environ; do
            if grep -qz "^TRELLIS_SPAWN=$1_" "$environ" 2>/dev/null; then
              pid=${environ#/proc/}
              kill -KILL "${pid%/environ}" 2>/dev/null && found=1
            fi
          done
          [ -z "$found" ] && exit 0
          round=$((round + 1))
        done
        """

    /// Starts the watchdog the first time it is called; later calls cost a check of a flag.
    ///
    /// - Returns: The watchdog's pid, or `nil` when it could not be started (spawns then go unwatched).
    @discardableResult
    package static func start() -> pid_t? { started }

    private static let started: pid_t? = launch()

    private static func launch() -> pid_t? {
        #if os(Linux)
            // Close-on-exec so that no other child holds the write end.
            guard let pipe = LibcExtensions.closeOnExecPipe() else { return nil }
            let ends = [pipe.read, pipe.write]
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, ends[0], 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            LibcExtensions.closeInheritedDescriptors(&actions)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            let arguments = ["/bin/sh", "-c", script, "trellis-watchdog", SpawnMark.instance]
            let environment = ["PATH=/usr/local/bin:/usr/bin:/bin"]
            var argv = arguments.map { strdup($0) } + [nil]
            var envp = environment.map { strdup($0) } + [nil]
            defer { for pointer in argv + envp { free(pointer) } }
            var pid: pid_t = 0
            let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, &envp)
            close(ends[0])
            guard status == 0 else {
                close(ends[1])
                return nil
            }
            // ends[1] stays open, unused, until this process exits.
            return pid
        #else
            return nil
        #endif
    }
}
