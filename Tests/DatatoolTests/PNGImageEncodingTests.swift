import Foundation
import Testing
import Datasets
@testable import datatool

/// Encoding is checked three ways: by parsing the chunks here, by decoding with our own
/// decoder, and by `scripts/png_check.py`, an independent decoder on Python's zlib.
@Suite struct PNGImageEncodingTests {
    /// A test card: noise (to exercise every filter), flat areas, translucent pixels if asked.
    static func testCard(width: Int, height: Int, translucent: Bool) throws -> PNGImage {
        var image = try PNGImage(width: width, height: height, background: RGBA(hex: 0xF0F0F0))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for y in 0..<(height / 2) {
            for x in 0..<width {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let v = UInt8(truncatingIfNeeded: state >> 56)
                image.setPixel(x: x, y: y, color: RGBA(red: v, green: UInt8(truncatingIfNeeded: x * 7), blue: UInt8(truncatingIfNeeded: y * 11),
                                                       alpha: translucent ? UInt8(truncatingIfNeeded: state >> 40) : 255))
            }
        }
        image.fillRect(x: 3, y: height / 2 + 2, width: width / 2, height: height / 4, color: RGBA(hex: 0x1F77B4))
        image.drawLine(x0: 0, y0: height - 1, x1: width - 1, y1: height / 2, color: .black)
        return image
    }

    struct Chunk {
        let type: String
        let data: [UInt8]
        let crc: UInt32
    }

    static func chunks(_ png: [UInt8]) throws -> [Chunk] {
        var out = [Chunk]()
        var offset = 8
        func u32(_ at: Int) -> UInt32 { png[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        while offset < png.count {
            try #require(png.count - offset >= 12)
            let length = Int(u32(offset))
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            out.append(Chunk(type: type, data: Array(png[(offset + 8)..<(offset + 8 + length)]), crc: u32(offset + 8 + length)))
            offset += 12 + length
        }
        return out
    }

    @Test(arguments: [false, true])
    func structureAndChecksums(translucent: Bool) throws {
        let image = try Self.testCard(width: 37, height: 23, translucent: translucent)
        let png = try image.pngData()
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try Self.chunks(png)
        #expect(chunks.first?.type == "IHDR" && chunks.last?.type == "IEND")
        #expect(chunks.dropFirst().dropLast().allSatisfy { $0.type == "IDAT" })
        for chunk in chunks {
            #expect(Zlib.crc32(chunk.data, continuing: Zlib.crc32(Array(chunk.type.utf8))) == chunk.crc, "CRC of \(chunk.type)")
        }
        let ihdr = chunks[0].data
        #expect(ihdr == [0, 0, 0, 37, 0, 0, 0, 23, 8, translucent ? 6 : 2, 0, 0, 0])
        #expect(image.hasTransparency == translucent)
        // IDAT inflates to height rows of (1 + width × channels) bytes, each with a filter type.
        let idat = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        let raw = try Zlib.decompress(idat)
        let stride = 1 + 37 * (translucent ? 4 : 3)
        #expect(raw.count == 23 * stride)
        #expect((0..<23).allSatisfy { raw[$0 * stride] <= 4 })
    }

    @Test(arguments: [false, true])
    func decodesBackToTheSamePixels(translucent: Bool) throws {
        let image = try Self.testCard(width: 64, height: 48, translucent: translucent)
        for level in [0, 1, 9] {
            let decoded = try PNGImage(pngData: try image.pngData(compressionLevel: level))
            #expect(decoded == image, "level \(level)")
        }
    }

    @Test(arguments: [false, true])
    func pythonCheckerAgrees(translucent: Bool) throws {
        let folder = try PlotTestFolder()
        defer { folder.remove() }
        let image = try Self.testCard(width: 61, height: 40, translucent: translucent)
        let path = folder.file("card.png")
        try image.write(to: path)
        let probes = [(0, 0), (60, 0), (5, 35), (30, 12), (60, 39)]
        let report = try PNGCheck.run(path: path, pixels: probes.map { (x: $0.0, y: $0.1) })
        #expect(report.width == 61 && report.height == 40 && report.bit_depth == 8 && report.interlace == 0)
        #expect(report.colour_type == (translucent ? 6 : 2))
        #expect(report.pixel_crc32 == Zlib.crc32(image.pixels), "every pixel, as Python decodes them")
        for pixel in report.pixels {
            let mine = try #require(image.pixel(x: pixel.x, y: pixel.y))
            #expect(pixel.rgba == [mine.red, mine.green, mine.blue, mine.alpha], "pixel \(pixel.x),\(pixel.y)")
        }
        #expect(report.histogram.values.reduce(0, +) == 61 * 40)
        #expect(report.filters.keys.count >= 2, "the adaptive filter should pick several filter types: \(report.filters)")
    }

    @Test func largeImagesSplitIntoSeveralIDATChunks() throws {
        var image = try PNGImage(width: 1024, height: 1024)
        image.withUnsafeMutablePixels { p in
            var state: UInt32 = 1
            for i in 0..<p.count where i % 4 != 3 {
                state = state &* 1_664_525 &+ 1_013_904_223
                p[i] = UInt8(truncatingIfNeeded: state >> 24)
            }
        }
        let png = try image.pngData(compressionLevel: 1)
        let chunks = try Self.chunks(png)
        #expect(chunks.filter { $0.type == "IDAT" }.count >= 3)
        #expect(try PNGImage(pngData: png) == image)
    }

    @Test func decoderRejectsDamagedFiles() throws {
        let png = try Self.testCard(width: 8, height: 8, translucent: false).pngData()
        var badSignature = png
        badSignature[1] = 0
        var badCRC = png
        badCRC[20] ^= 1       // inside IHDR's data
        let truncated = Array(png.dropLast(20))
        for (name, bytes) in [("signature", badSignature), ("crc", badCRC), ("truncated", truncated), ("empty", [])] {
            #expect(throws: (any Error).self, "damaged \(name)") { try PNGImage(pngData: bytes) }
        }
        // The Python checker rejects the bad CRC too.
        let folder = try PlotTestFolder()
        defer { folder.remove() }
        let path = folder.file("bad.png")
        try Data(badCRC).write(to: URL(fileURLWithPath: path))
        let result = try PNGCheck.runRaw(path: path)
        #expect(result.status != 0 && result.stderr.contains("CRC"))
    }

    @Test func writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let folder = try PlotTestFolder()
        defer { folder.remove() }
        let path = folder.file("plot.png")
        let first = try PNGImage(width: 5, height: 5, background: .black)
        let second = try PNGImage(width: 6, height: 4, background: RGBA(hex: 0xFF7F0E))
        try first.write(to: path)
        try second.write(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try PNGImage(pngData: bytes) == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["plot.png"])
    }

    @Test func writeReportsUnusablePaths() throws {
        let folder = try PlotTestFolder()
        defer { folder.remove() }
        let image = try PNGImage(width: 2, height: 2)
        let missing = folder.file("no/such/folder/plot.png")
        #expect(throws: PlotError.writeFailed(path: missing, reason: "folder \(folder.path)/no/such/folder does not exist")) {
            try image.write(to: missing)
        }
        let aFile = folder.file("file.txt")
        try Data("x".utf8).write(to: URL(fileURLWithPath: aFile))
        #expect(throws: PlotError.writeFailed(path: aFile + "/plot.png", reason: "\(aFile) is not a folder")) {
            try image.write(to: aFile + "/plot.png")
        }
        #expect(throws: PlotError.self) { try image.write(to: folder.path) }
        #expect(throws: PlotError.self) { try image.write(to: "") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["file.txt"])
    }

    @Test(.enabled(if: getuid() != 0, "root may write into read-only folders"))
    func writeReportsReadOnlyFolder() throws {
        let folder = try PlotTestFolder()
        defer {
            chmod(folder.path, 0o755)
            folder.remove()
        }
        chmod(folder.path, 0o555)
        let path = folder.file("plot.png")
        #expect(throws: PlotError.writeFailed(path: path, reason: "folder \(folder.path) is not writable (read-only)")) {
            try PNGImage(width: 2, height: 2).write(to: path)
        }
    }
}
