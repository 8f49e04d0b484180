import Testing
@testable import Datasets

/// libdeflate's inflater against the streams Python's zlib wrote (the zlib fixture), and its
/// refusals: every stream zlib would reject comes back as `nil`, for zlib to name the problem.
@Suite struct WholeBufferInflaterTests {
    let fixture: ZlibFixture

    init() throws { fixture = try ZlibFixture.load() }

    @Test func inflatesPythonsStreams() throws {
        var inflater = try WholeBufferInflater()
        for stream in fixture.streams {
            var output = [UInt8](repeating: 0xAA, count: stream.plain.count + 7)
            let written = stream.compressed.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { inflater.inflate(source: source, into: $0) }
            }
            #expect(written == stream.plain.count, "\(stream.name)")
            #expect(Array(output.prefix(stream.plain.count)) == stream.plain, "\(stream.name)")
        }
    }

    @Test func refusesWhatZlibRejects() throws {
        var inflater = try WholeBufferInflater()
        let plain = zlibPatternedBytes(count: 100_000)
        let packed = try Zlib.compress(plain)
        func inflate(_ source: [UInt8], capacity: Int) -> Int? {
            var output = [UInt8](repeating: 0, count: capacity)
            return source.withUnsafeBytes { raw in output.withUnsafeMutableBytes { inflater.inflate(source: raw, into: $0) } }
        }
        #expect(inflate(packed, capacity: plain.count) == plain.count, "the intact stream")
        #expect(inflate(packed, capacity: plain.count - 1) == nil, "output one byte too small")
        #expect(inflate(Array(packed.dropLast(5)), capacity: plain.count) == nil, "truncated")
        #expect(inflate(packed + [0], capacity: plain.count) == nil, "a byte after the stream")
        var badChecksum = packed
        badChecksum[badChecksum.count - 1] ^= 1
        #expect(inflate(badChecksum, capacity: plain.count) == nil, "Adler-32 mismatch")
        var badHeader = packed
        badHeader[0] = 0x79   // CINFO 7 is the largest window; 0x79 needs the header check to fail
        #expect(inflate(badHeader, capacity: plain.count) == nil, "bad zlib header")
        #expect(inflate([], capacity: plain.count) == nil, "empty input")
        // Each of these is rejected by zlib too, with its own message.
        var zlib = try ZlibInflater()
        for (label, source) in [("truncated", Array(packed.dropLast(5))), ("trailing", packed + [0]), ("checksum", badChecksum)] {
            var output = [UInt8](repeating: 0, count: plain.count)
            #expect(throws: ZlibError.self, "\(label)") {
                try source.withUnsafeBytes { raw in try output.withUnsafeMutableBytes { try zlib.inflate(source: raw, into: $0) } }
            }
        }
    }
}
