#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child started with `posix_spawn` as the leader of a new process group, its stdin, stdout and stderr on pipes.
///
/// The child gets the default disposition of every signal Trellis may ignore and an empty signal mask (Trellis
/// ignores SIGPIPE; a plugin must not inherit that), and no descriptor of Trellis's but the three pipes. The
/// parent's ends are close-on-exec, so a child another thread spawns meanwhile does not hold them open; stdin's end
/// is non-blocking. The caller owns the three descriptors and reaps the child.
struct PipedChild: Sendable {
    /// The child's pid, which is also its process group's id.
    let pid: pid_t
    /// The write end of the child's stdin.
    let input: Int32
    /// The read end of the child's stdout.
    let output: Int32
    /// The read end of the child's stderr.
    let error: Int32

    /// Why the child could not be started, for people (`No such file or directory`).
    struct SpawnError: Error, Sendable {
        var reason: String
    }

    /// Starts `executable` (absolute) with `arguments` (`argv[0]` is the executable) in `workingDirectory`, with
    /// exactly `environment`.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String
    ) throws(SpawnError) -> PipedChild {
        var descriptors: [Int32] = []
        func pipeOrThrow() throws(SpawnError) -> (read: Int32, write: Int32) {
            guard let pipe = LibcExtensions.closeOnExecPipe() else {
                let reason = "cannot create a pipe: \(Self.text(ofError: errno))"
                for descriptor in descriptors { close(descriptor) }
                throw SpawnError(reason: reason)
            }
            descriptors += [pipe.read, pipe.write]
            return pipe
        }
        let input = try pipeOrThrow()
        let output = try pipeOrThrow()
        let error = try pipeOrThrow()

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, error.write, 2)
        LibcExtensions.closeInheritedDescriptors(&actions)
        guard let addChdir = LibcExtensions.addChdir else {
            for descriptor in descriptors { close(descriptor) }
            throw SpawnError(
                reason: "this C library cannot start a process in another folder "
                    + "(posix_spawn_file_actions_addchdir_np)")
        }
        _ = addChdir(&actions, workingDirectory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var resetSignals = Self.signalsToReset
        posix_spawnattr_setsigdefault(&attributes, &resetSignals)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(input.read)
        close(output.write)
        close(error.write)
        guard status == 0 else {
            close(input.write)
            close(output.read)
            close(error.read)
            throw SpawnError(reason: Self.text(ofError: status))
        }
        _ = fcntl(input.write, F_SETFL, fcntl(input.write, F_GETFL) | O_NONBLOCK)
        return PipedChild(pid: pid, input: input.write, output: output.read, error: error.read)
    }

    /// The signals a child gets back at their default disposition: those Trellis or its libraries may ignore
    /// (SIGPIPE, ``BrokenPipe``; SIGINT, SIGTERM and the like, ServiceLifecycle), and job control. A handled
    /// signal is reset by `exec` anyway, and resetting all 64 costs a system call each before `exec`.
    private static let signalsToReset: sigset_t = {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [
            SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU,
            SIGWINCH, SIGXFSZ, SIGXCPU, SIGURG, SIGIO,
        ] {
            sigaddset(&signals, signal)
        }
        return signals
    }()

    /// The C library's words for an `errno` value.
    static func text(ofError code: Int32) -> String {
        strerror(code).map { String(cString: $0) } ?? "error \(code)"
    }
}
