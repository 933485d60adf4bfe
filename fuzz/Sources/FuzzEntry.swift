#if FUZZING
    import Foundation

    /// The target `TRELLIS_FUZZ_TARGET` names, read once: libFuzzer has one entry point per binary.
    private let selectedTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["TRELLIS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget.named(name) else {
            let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
            FileHandle.standardError.write(Data("TRELLIS_FUZZ_TARGET must be one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    /// Called by libFuzzer before it starts: an unknown target name stops the run here, before any input.
    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzInitialize(
        _ argc: UnsafeMutablePointer<CInt>?,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
    ) -> CInt {
        _ = selectedTarget
        return 0
    }

    /// libFuzzer's entry point: runs one input through the selected target; a broken invariant aborts, which
    /// libFuzzer reports as a crash and saves the input.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            try selectedTarget.run(bytes)
        } catch {
            FileHandle.standardError.write(Data("\(selectedTarget.name): invariant broken: \(error)\n".utf8))
            abort()
        }
        return 0
    }
#endif
