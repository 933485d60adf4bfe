import Foundation

/// The inputs fuzzing found crashes or broken invariants with, kept in `fuzz/regressions/<target>/` so the
/// fuzzer starts from them and the test suites replay them without a sanitizer.
public enum FuzzRegression {
    /// The repository's `fuzz/regressions` folder.
    public static let folder: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("fuzz/regressions").path
    }()

    /// The bytes of the reproducer `name` of `target`.
    public static func bytes(_ target: String, _ name: String) throws -> [UInt8] {
        let path = folder + "/" + target + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return Array(data)
    }

    /// The reproducer as text, invalid UTF-8 replaced as the targets do.
    public static func text(_ target: String, _ name: String) throws -> String {
        String(decoding: try bytes(target, name), as: UTF8.self)
    }
}
