import Testing
@testable import Datasets

@Suite struct ZlibInflaterTests {
    @Test func oneInflaterDecodesManyStreams() throws {
        let fixture = try ZlibFixture.load()
        var inflater = try ZlibInflater()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        for stream in fixture.streams {
            let plain = try ZlibFixture.bytes(stream.plain)
            let packed = try ZlibFixture.bytes(stream.compressed)
            let written = try packed.withUnsafeBytes { source in
                try buffer.withUnsafeMutableBytes { try inflater.inflate(source: source, into: $0) }
            }
            #expect(written == plain.count, "\(stream.name)")
            #expect(Array(buffer[..<written]) == plain, "\(stream.name)")
            #expect(try packed.withUnsafeBytes { try inflater.decompress($0) } == plain, "\(stream.name)")
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
