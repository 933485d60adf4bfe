import Foundation
import Testing
import TrellisCore

@testable import TrellisProviders

/// Turning paths and URLs into image parts.
@Suite struct ImageAttachmentTests {
    /// Writes `bytes` to a fresh temporary file named `name` and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-images-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    /// Removes a file written by ``file(_:_:)`` and its directory.
    func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    func dataURL(_ part: ContentPart) -> String? {
        guard case .image(let url, _) = part else { return nil }
        return url
    }

    @Test func urlsAndDataURIsAreKept() throws {
        #expect(
            try ImageAttachment.part(from: "https://example.com/cat.jpg", detail: "low")
                == .image(url: "https://example.com/cat.jpg", detail: "low"))
        #expect(try ImageAttachment.part(from: "HTTP://example.com/a.png") == .image(url: "HTTP://example.com/a.png"))
        let uri = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ"
        #expect(try ImageAttachment.part(from: uri) == .image(url: uri))
    }

    @Test func pngFileBecomesADataURI() throws {
        let path = try file("pixel.bin", pngBytes)
        defer { remove(path) }
        let part = try ImageAttachment.part(from: path, detail: "high")
        #expect(part == .image(url: "data:image/png;base64,\(Data(pngBytes).base64EncodedString())", detail: "high"))
        #expect(try ImageAttachment.part(from: "file://" + path) == .image(url: dataURL(part)!))
    }

    @Test func typeComesFromMagicBytesBeforeTheExtension() throws {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]
        let gif = Array("GIF89a".utf8) + [0x01, 0x00, 0x01, 0x00]
        let webp = Array("RIFF".utf8) + [0x24, 0x00, 0x00, 0x00] + Array("WEBPVP8 ".utf8)
        let paths = [try file("photo.png", jpeg), try file("anim", gif), try file("x.img", webp)]
        defer { paths.forEach(remove) }
        let urls = try paths.map { dataURL(try ImageAttachment.part(from: $0)) ?? "" }
        #expect(urls[0].hasPrefix("data:image/jpeg;base64,/9j/"))
        #expect(urls[1].hasPrefix("data:image/gif;base64,"))
        #expect(urls[2].hasPrefix("data:image/webp;base64,"))
    }

    @Test func unknownBytesFallBackToTheExtension() throws {
        let path = try file("scan.JPEG", [1, 2, 3])
        defer { remove(path) }
        let url = dataURL(try ImageAttachment.part(from: path))
        #expect(url == "data:image/jpeg;base64,AQID")
    }

    @Test func otherFilesAreRefusedByName() throws {
        let path = try file("notes.txt", Array("hello".utf8))
        defer { remove(path) }
        let error = #expect(throws: ImageAttachmentError.self) { try ImageAttachment.part(from: path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("PNG, JPEG, GIF or WebP") == true)
    }

    @Test func missingFileIsNamed() {
        let error = #expect(throws: ImageAttachmentError.self) {
            try ImageAttachment.part(from: "/nonexistent/trellis/cat.png")
        }
        #expect(error?.description == "image '/nonexistent/trellis/cat.png' does not exist")
    }

    @Test func directoryIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let error = #expect(throws: ImageAttachmentError.self) { try ImageAttachment.part(from: directory) }
        #expect(error?.description.contains("is a directory") == true)
    }

    @Test func filesOver20MBAreRefused() throws {
        let path = try file("huge.png", pngBytes)
        defer { remove(path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(ImageAttachment.maxBytes + 1))
        try handle.close()
        let error = #expect(throws: ImageAttachmentError.self) { try ImageAttachment.part(from: path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("over 20 MB") == true)
    }
}
