import Foundation
import Synchronization
import TrellisCore

/// Example vectors kept on disk, one JSON file per provider and model under a folder (the CLI uses
/// `.trellis/cache/embeddings/` in the workspace): `{"scope", "model", "vectors": {text hash: [numbers]}}`.
///
/// A file that cannot be read is treated as empty and rewritten; a failed write is logged by nobody and costs a
/// later embedding call, never a run. Writes go to a temporary file that is renamed over the old one, so a reader
/// never sees half a file.
public final class FileEmbeddingCache: EmbeddingCache {
    /// The folder the files are in.
    public let folder: String
    private let lock = Mutex(())

    /// Creates a cache in `folder` (created on the first write).
    public init(folder: String) { self.folder = folder }

    public func vectors(for keys: [EmbeddingCacheKey]) -> [EmbeddingCacheKey: [Double]] {
        lock.withLock { _ in
            var found: [EmbeddingCacheKey: [Double]] = [:]
            for (file, group) in Dictionary(grouping: keys, by: path(for:)) {
                let stored = read(file)
                for key in group { if let vector = stored[key.textHash] { found[key] = vector } }
            }
            return found
        }
    }

    public func store(_ vectors: [EmbeddingCacheKey: [Double]]) {
        lock.withLock { _ in
            for (file, group) in Dictionary(grouping: vectors.keys, by: path(for:)) {
                guard let first = group.first else { continue }
                var stored = read(file)
                for key in group { stored[key.textHash] = vectors[key] }
                write(stored, scope: first.scope, model: first.model, to: file)
            }
        }
    }

    /// `<folder>/<hash of scope and model>.json`.
    func path(for key: EmbeddingCacheKey) -> String {
        let name = EmbeddingCacheKey(scope: "", model: "", text: key.scope + "\u{0}" + key.model).textHash
        return (folder as NSString).appendingPathComponent(name + ".json")
    }

    private func read(_ file: String) -> [String: [Double]] {
        guard let data = FileManager.default.contents(atPath: file),
            let json = try? JSONValue.parse(String(decoding: data, as: UTF8.self)),
            case .object(let vectors)? = json["vectors"]
        else { return [:] }
        var stored: [String: [Double]] = [:]
        for (hash, value) in vectors.members {
            guard let numbers = value.arrayValue?.compactMap(\.doubleValue), numbers.count == value.arrayValue?.count
            else { continue }
            stored[hash] = numbers
        }
        return stored
    }

    private func write(_ vectors: [String: [Double]], scope: String, model: String, to file: String) {
        let json: JSONValue = [
            "scope": .string(scope), "model": .string(model),
            "vectors": .object(
                JSONObject(vectors.keys.sorted().map { ($0, JSONValue.array(vectors[$0]!.map(JSONValue.number))) })),
        ]
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temporary = file + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
            try Data(json.serialized().utf8).write(to: URL(fileURLWithPath: temporary))
            _ = rename(temporary, file)
        } catch {
            return
        }
    }
}
