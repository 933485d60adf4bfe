#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file or folder opened inside a ``ConfinedRoot``; the descriptor is closed when the value goes away.
struct ConfinedEntry: ~Copyable {
    /// The open descriptor (read-only, close-on-exec, non-blocking).
    let descriptor: Int32
    /// What the descriptor refers to, from `fstat` on it.
    let status: stat

    var isDirectory: Bool { status.st_mode & S_IFMT == S_IFDIR }
    var isRegularFile: Bool { status.st_mode & S_IFMT == S_IFREG }

    deinit { close(descriptor) }
}

extension ConfinedRoot {
    /// Symbolic links followed in one path before it is refused, as the kernel's own limit (`ELOOP`).
    static let maxLinks = 40

    /// Opens `relative` by walking it from a descriptor of the root, one component at a time.
    ///
    /// Every component is opened with `O_NOFOLLOW` relative to the folder opened before it, so a folder swapped
    /// for a symbolic link between a check and the open cannot lead outside: the open fails instead of following
    /// the link. Symbolic links are followed here, by reading them and walking their target: a relative target
    /// from the folder that holds the link (`..` may climb, but not above the root), an absolute one only when it
    /// lies inside the root's real path.
    ///
    /// - Throws: A message naming the problem when the path escapes the root, does not exist or cannot be opened.
    func open(_ relative: String) throws(ToolFailure) -> ConfinedEntry {
        var pending = Array(try components(of: relative).reversed())
        let rootDescriptor = Self.openDirectory(path)
        guard rootDescriptor >= 0 else {
            throw ToolFailure("cannot open the allowed root '\(path)': \(Self.describe(errno))")
        }
        // The folders opened so far, from the root down; the last one holds the next component.
        var folders = [rootDescriptor]
        defer { for descriptor in folders { close(descriptor) } }
        var links = 0
        while let name = pending.popLast() {
            if name == "." { continue }
            if name == ".." {
                guard folders.count > 1 else { throw outside(relative) }
                close(folders.removeLast())
                continue
            }
            let parent = folders[folders.count - 1]
            var status = stat()
            guard fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw errno == ENOENT ? missing(relative) : cannotOpen(relative, errno)
            }
            if status.st_mode & S_IFMT == S_IFLNK {
                links += 1
                guard links <= Self.maxLinks else {
                    throw ToolFailure("'\(relative)' is refused: too many levels of symbolic links")
                }
                guard let target = Self.readLink(name, in: parent) else { throw cannotOpen(relative, errno) }
                if target.hasPrefix("/") {
                    let inside = try components(ofAbsolute: target, naming: relative)
                    for descriptor in folders.dropFirst() { close(descriptor) }
                    folders.removeSubrange(1...)
                    pending.append(contentsOf: inside.reversed())
                } else {
                    pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
                }
                continue
            }
            let isLast = pending.allSatisfy { $0 == "." }
            guard isLast || status.st_mode & S_IFMT == S_IFDIR else { throw missing(relative) }
            // A FIFO would block the open and a device may act on it: neither is opened at all.
            let kind = status.st_mode & S_IFMT
            guard kind == S_IFDIR || kind == S_IFREG else { throw ToolFailure("'\(relative)' is not a regular file") }
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (isLast ? 0 : O_DIRECTORY)
            let descriptor = openat(parent, name, flags)
            guard descriptor >= 0 else {
                // Replaced by a link since the check: take the component again, as a link this time.
                if errno == ELOOP || errno == ENOTDIR {
                    pending.append(name)
                    links += 1
                    guard links <= Self.maxLinks else { throw cannotOpen(relative, ELOOP) }
                    continue
                }
                throw errno == ENOENT ? missing(relative) : cannotOpen(relative, errno)
            }
            folders.append(descriptor)
        }
        let descriptor = folders.removeLast()
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = errno
            close(descriptor)
            throw cannotOpen(relative, error)
        }
        return ConfinedEntry(descriptor: descriptor, status: status)
    }

    /// The components of a path given to a tool, relative to the root; `..` and absolute paths outside the root
    /// are refused before anything is looked at, so a tool cannot probe what exists elsewhere.
    private func components(of relative: String) throws(ToolFailure) -> [String] {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.contains("..") {
            throw ToolFailure("'\(relative)' is refused: '..' may not be used to leave the root")
        }
        if relative.hasPrefix("/") { return try components(ofAbsolute: relative, naming: relative) }
        return parts.filter { $0 != "." }
    }

    /// The components below the root of an absolute path, which must lie inside the root's real path.
    private func components(ofAbsolute absolute: String, naming relative: String) throws(ToolFailure) -> [String] {
        var stack: [Substring] = []
        for part in absolute.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == ".." { _ = stack.popLast() } else { stack.append(part) }
        }
        let rootParts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard stack.count >= rootParts.count, Array(stack.prefix(rootParts.count)) == rootParts else {
            throw outside(relative)
        }
        return stack.dropFirst(rootParts.count).map(String.init)
    }

    private func outside(_ relative: String) -> ToolFailure {
        ToolFailure("'\(relative)' is refused: it resolves outside the allowed root")
    }

    private func missing(_ relative: String) -> ToolFailure { ToolFailure("'\(relative)' does not exist") }

    private func cannotOpen(_ relative: String, _ error: Int32) -> ToolFailure {
        ToolFailure("cannot open '\(relative)': \(Self.describe(error))")
    }

    private static func openDirectory(_ path: String) -> Int32 {
        #if canImport(Glibc)
            Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #elseif canImport(Musl)
            Musl.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #else
            Darwin.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #endif
    }

    private static func readLink(_ name: String, in folder: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(folder, name, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func describe(_ error: Int32) -> String { String(cString: strerror(error)) }
}
