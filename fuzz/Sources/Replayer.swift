#if !FUZZING
    import Foundation

    /// Without libFuzzer, `trellis-fuzz TARGET FILE...` runs each file (or each file of a folder) through the
    /// target: seed corpora and crash reproducers replay as regression checks in any build. Exits 1 when an
    /// input breaks an invariant; a trap in the code under test ends the process with the signal.
    @main
    struct Replayer {
        static func main() {
            var arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--list" {
                for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
                return
            }
            guard arguments.count >= 2, let target = FuzzTarget.named(arguments.removeFirst()) else {
                let names = FuzzTarget.all.map(\.name).joined(separator: "|")
                fail("usage: trellis-fuzz --list | trellis-fuzz \(names) FILE|FOLDER...", status: 2)
            }
            var count = 0
            var broken = 0
            for path in arguments.flatMap(files) {
                guard let data = FileManager.default.contents(atPath: path) else {
                    fail("cannot read \(path)", status: 2)
                }
                count += 1
                do {
                    try target.run(Array(data))
                } catch {
                    broken += 1
                    FileHandle.standardError.write(Data("\(path): invariant broken: \(error)\n".utf8))
                }
            }
            print("\(target.name): \(count) inputs, \(broken) broken")
            if broken > 0 { exit(1) }
        }

        /// The path itself, or the regular files of a folder, sorted.
        static func files(_ path: String) -> [String] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                return [path]
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
        }

        static func fail(_ message: String, status: Int32) -> Never {
            FileHandle.standardError.write(Data("\(message)\n".utf8))
            exit(status)
        }
    }
#endif
