import Testing
@testable import Datasets

@Suite struct ZlibInflaterTests {
    @Test func oneInflaterDecodesManyStreams() throws {
        let fixture = try ZlibFixture.load()
        var inflater = try ZlibInflater()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        for stream in fixture.streams {
            let written = try stream.compressed.withUnsafeBytes { source in
                try buffer.withUnsafeMutableBytes { try inflater.inflate(source: source, into: $0) }
            }
            #expect(written == stream.plain.count, "\(stream.name)")
            #expect(Array(buffer[..<written]) == stream.plain, "\(stream.name)")
            #expect(try stream.compressed.withUnsafeBytes { try inflater.decompress($0) } == stream.plain, "\(stream.name)")
        }
    }

    @Test func inflaterRecoversAfterAnError() throws {
        var inflater = try ZlibInflater()
        let good = try Zlib.compress(Array("after the error".utf8))
        var bad = good
        bad[bad.count - 2] ^= 0x40
        var buffer = [UInt8](repeating: 0, count: 64)
        #expect(throws: ZlibError.self) {
            try bad.withUnsafeBytes { source in
                try buffer.withUnsafeMutableBytes { try inflater.inflate(source: source, into: $0) }
            }
        }
        let truncated = Array(good.dropLast(5))
        #expect(throws: ZlibError.self) {
            try truncated.withUnsafeBytes { try inflater.decompress($0) }
        }
        let written = try good.withUnsafeBytes { source in
            try buffer.withUnsafeMutableBytes { try inflater.inflate(source: source, into: $0) }
        }
        #expect(Array(buffer[..<written]) == Array("after the error".utf8))
    }
}
