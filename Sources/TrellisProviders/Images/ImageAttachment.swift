import Foundation
import TrellisCore

/// Turns a path or URL into an image part of a user message, the way vision models want it (PROVIDERS §3, §5).
///
/// ```swift
/// let message = ChatMessage.user([.text("What is on this picture?"), try ImageAttachment.part(from: "cat.png")])
/// ```
public enum ImageAttachment {
    /// Files larger than this are refused (OpenAI's limit for one image; vendors behind it accept no more).
    public static let maxBytes = 20 * 1024 * 1024

    /// An image part for `pathOrURL`.
    ///
    /// An `http(s):` URL or a `data:` URI is kept as is. A local path (or `file://` URL) is read and sent as a
    /// `data:<mime>;base64,...` URI, the MIME type taken from the file's first bytes (PNG, JPEG, GIF, WebP), else
    /// from its extension.
    ///
    /// - Parameters:
    ///   - pathOrURL: A URL, a data URI, or a file path (`~` is expanded).
    ///   - detail: The `detail` hint (`low`, `high`, `auto`), or `nil` to leave it to the provider.
    /// - Throws: ``ImageAttachmentError`` naming the file when it is missing, unreadable, a directory, larger
    ///   than ``maxBytes``, or not one of the supported image types.
    public static func part(from pathOrURL: String, detail: String? = nil) throws -> ContentPart {
        let lowered = pathOrURL.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("data:") {
            return .image(url: pathOrURL, detail: detail)
        }
        var path = pathOrURL
        if lowered.hasPrefix("file://") { path = URL(string: pathOrURL)?.path ?? String(pathOrURL.dropFirst(7)) }
        path = (path as NSString).expandingTildeInPath
        let data = try read(path)
        guard let mime = mimeType(of: data) ?? mimeType(extension: (path as NSString).pathExtension) else {
            throw ImageAttachmentError(
                message: "image '\(path)' is not a PNG, JPEG, GIF or WebP file (unrecognised content and extension)")
        }
        return .image(url: "data:\(mime);base64,\(data.base64EncodedString())", detail: detail)
    }

    /// The file's bytes, within ``maxBytes``.
    static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageAttachmentError(message: "image '\(path)' does not exist")
        }
        guard !isDirectory.boolValue else { throw ImageAttachmentError(message: "image '\(path)' is a directory") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxBytes else {
            throw ImageAttachmentError(
                message: "image '\(path)' is \(size / (1024 * 1024)) MB; images over 20 MB are refused")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= maxBytes else {
                throw ImageAttachmentError(message: "image '\(path)' is over 20 MB; images over 20 MB are refused")
            }
            return data
        } catch let error as ImageAttachmentError {
            throw error
        } catch {
            throw ImageAttachmentError(message: "image '\(path)' cannot be read: \(error.localizedDescription)")
        }
    }

    /// The MIME type from the file's magic bytes, or `nil`.
    static func mimeType(of data: Data) -> String? {
        let bytes = [UInt8](data.prefix(12))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        return nil
    }

    /// The MIME type for a file extension, or `nil` for anything but the supported image types.
    static func mimeType(extension pathExtension: String) -> String? {
        switch pathExtension.lowercased() {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        default: return nil
        }
    }
}
