import Foundation
import Testing
import Datasets

/// Bytes a fixture stores as base64 text, decoded (`JSONDecoder` reads `Data` from base64).
@propertyWrapper
struct Base64Bytes: Decodable {
    let wrappedValue: [UInt8]

    init(from decoder: Decoder) throws {
        wrappedValue = [UInt8](try decoder.singleValueContainer().decode(Data.self))
    }
}

/// The reference values written by `scripts/fixtures/make_zlib_fixtures.py` (Python's zlib,
/// numpy, h5py), shared by the zlib, inflater and shuffle tests.
struct ZlibFixture: Decodable {
    struct Checksum: Decodable {
        let name: String
        @Base64Bytes var data: [UInt8]
        let crc32: UInt32
        let adler32: UInt32
        let split: Int
        let crc32_chained: UInt32
        let adler32_chained: UInt32
    }
    struct Patterned: Decodable {
        let count: Int
        let crc32: UInt32
        let adler32: UInt32
    }
    struct Stream: Decodable {
        let name: String
        @Base64Bytes var plain: [UInt8]
        @Base64Bytes var compressed: [UInt8]
    }
    struct Shuffle: Decodable {
        let element_size: Int
        @Base64Bytes var plain: [UInt8]
        @Base64Bytes var shuffled: [UInt8]
    }
    struct Chunk: Decodable {
        let first_row: Int
        let filter_mask: Int
        @Base64Bytes var raw: [UInt8]
        let valid_bytes: Int
        @Base64Bytes var expected: [UInt8]
    }
    struct ChunkedDataset: Decodable {
        let name: String
        let dtype: String
        let element_size: Int
        let chunk_bytes: Int
        let chunks: [Chunk]
    }
    let checksums: [Checksum]
    let patterned: Patterned
    let streams: [Stream]
    let shuffle: [Shuffle]
    let hdf5_chunks: [ChunkedDataset]

    static func load() throws -> ZlibFixture {
        try fixtures.decode(ZlibFixture.self, from: "zlib/expected.json")
    }
}

/// The 1 MiB input of the fixture's `patterned` case: byte i = (i · 2654435761 >> 13) & 0xFF.
func zlibPatternedBytes(count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 2_654_435_761) >> 13) }
}

@Suite struct ZlibTests {
    let fixture: ZlibFixture

    init() throws { fixture = try ZlibFixture.load() }

    @Test func checksumsMatchPython() throws {
        for item in fixture.checksums {
            #expect(Zlib.crc32(item.data) == item.crc32, "crc32 of \(item.name)")
            #expect(Zlib.adler32(item.data) == item.adler32, "adler32 of \(item.name)")
            item.data.withUnsafeBytes { raw in
                #expect(Zlib.crc32(raw) == item.crc32, "raw crc32 of \(item.name)")
                #expect(Zlib.adler32(raw) == item.adler32, "raw adler32 of \(item.name)")
            }
            let head = item.data[..<item.split]
            let tail = item.data[item.split...]
            #expect(Zlib.crc32(tail, continuing: Zlib.crc32(head)) == item.crc32_chained, "chained crc32 of \(item.name)")
            #expect(Zlib.adler32(tail, continuing: Zlib.adler32(head)) == item.adler32_chained, "chained adler32 of \(item.name)")
            // A non-contiguous collection takes the copying path.
            #expect(Zlib.crc32(item.data.lazy.map { $0 }) == item.crc32, "lazy crc32 of \(item.name)")
        }
    }

    @Test func checksumsOfOneMebibyteMatchPython() {
        let data = zlibPatternedBytes(count: fixture.patterned.count)
        #expect(Zlib.crc32(data) == fixture.patterned.crc32)
        #expect(Zlib.adler32(data) == fixture.patterned.adler32)
    }

    @Test func decompressesPythonStreams() throws {
        for stream in fixture.streams {
            #expect(try Zlib.decompress(stream.compressed) == stream.plain, "\(stream.name)")
            var exact = [UInt8](repeating: 0xAA, count: stream.plain.count)
            let written = try stream.compressed.withUnsafeBytes { source in
                try exact.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
            }
            #expect(written == stream.plain.count && exact == stream.plain, "exact inflate of \(stream.name)")
        }
    }

    @Test(arguments: 0...9)
    func roundTripsAtEveryLevel(level: Int) throws {
        for stream in fixture.streams {
            let packed = try Zlib.compress(stream.plain, level: level)
            #expect(try Zlib.decompress(packed) == stream.plain, "\(stream.name) at level \(level)")
            #expect(packed.count <= Zlib.compressBound(stream.plain.count))
            // The zlib header: CM = 8 (deflate), and the header is a multiple of 31.
            #expect(packed[0] & 0x0F == 8 && (UInt16(packed[0]) << 8 | UInt16(packed[1])) % 31 == 0)
        }
    }

    @Test func compressionShrinksRepetitiveData() throws {
        let text = Array(String(repeating: "balanced batches ", count: 500).utf8)
        let stored = try Zlib.compress(text, level: 0)
        let best = try Zlib.compress(text, level: 9)
        #expect(stored.count > text.count)
        #expect(best.count * 20 < text.count)
    }

    @Test func roundTripsOneMebibyteThroughRawBuffers() throws {
        let data = zlibPatternedBytes(count: 1 << 20)
        let packed = try data.withUnsafeBytes { try Zlib.compress($0, level: 1) }
        var out = [UInt8](repeating: 0, count: data.count)
        let written = try packed.withUnsafeBytes { source in
            try out.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
        }
        #expect(written == data.count)
        #expect(out == data)
    }

    @Test func compressIntoCallerBuffer() throws {
        let data = Array("abcabcabcabcabcabcabc".utf8)
        var buffer = [UInt8](repeating: 0, count: Zlib.compressBound(data.count))
        let count = try data.withUnsafeBytes { source in
            try buffer.withUnsafeMutableBytes { try Zlib.compress(source: source, into: $0, level: 9) }
        }
        #expect(try Zlib.decompress(buffer[..<count]) == data)
        var small = [UInt8](repeating: 0, count: 4)
        #expect(throws: ZlibError.compressionBufferTooSmall(capacity: 4, needed: Zlib.compressBound(data.count))) {
            try data.withUnsafeBytes { source in
                try small.withUnsafeMutableBytes { try Zlib.compress(source: source, into: $0) }
            }
        }
    }

    @Test func inflateIntoLargerBufferReportsBytesWritten() throws {
        let plain = Array("0123456789".utf8)
        let packed = try Zlib.compress(plain)
        var out = [UInt8](repeating: 0xEE, count: 64)
        let written = try packed.withUnsafeBytes { source in
            try out.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
        }
        #expect(written == 10)
        #expect(Array(out[..<10]) == plain && out[10...].allSatisfy { $0 == 0xEE })
    }

    @Test func inflateIntoSmallBufferThrows() throws {
        let plain = Array("0123456789".utf8)
        let packed = try Zlib.compress(plain)
        for capacity in [0, 1, 9] {
            var out = [UInt8](repeating: 0, count: capacity)
            #expect(throws: ZlibError.outputTooSmall(capacity: capacity), "capacity \(capacity)") {
                try packed.withUnsafeBytes { source in
                    try out.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
                }
            }
        }
        // An empty payload fits an empty buffer.
        let empty = try Zlib.compress([UInt8]())
        var none = [UInt8]()
        let written = try empty.withUnsafeBytes { source in
            try none.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
        }
        #expect(written == 0)
    }

    @Test func everyTruncationIsReported() throws {
        let plain = zlibPatternedBytes(count: 3000)
        let packed = try Zlib.compress(plain, level: 6)
        for length in 0..<packed.count {
            let prefix = Array(packed[..<length])
            do {
                _ = try Zlib.decompress(prefix)
                Issue.record("prefix of \(length) of \(packed.count) bytes decompressed without error")
            } catch let error as ZlibError {
                guard case .truncatedStream(let consumed, _) = error else {
                    Issue.record("prefix of \(length) bytes: expected truncatedStream, got \(error)")
                    continue
                }
                #expect(consumed == length)
            }
            var out = [UInt8](repeating: 0, count: plain.count)
            #expect(throws: ZlibError.self, "exact inflate of a \(length)-byte prefix") {
                try prefix.withUnsafeBytes { source in
                    try out.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
                }
            }
        }
    }

    @Test func corruptStreamsAreReported() throws {
        let plain = Array(String(repeating: "corrupt me ", count: 50).utf8)
        let packed = try Zlib.compress(plain)
        var badHeader = packed
        badHeader[1] ^= 0x01
        var badChecksum = packed
        badChecksum[badChecksum.count - 1] ^= 0xFF
        let garbage: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9A]
        for (name, bytes) in [("header", badHeader), ("checksum", badChecksum), ("garbage", garbage)] {
            do {
                _ = try Zlib.decompress(bytes)
                Issue.record("corrupt \(name) decompressed without error")
            } catch let error as ZlibError {
                guard case .corruptStream(let detail) = error else {
                    Issue.record("corrupt \(name): expected corruptStream, got \(error)")
                    continue
                }
                #expect(!detail.isEmpty)
                #expect(error.description.contains("corrupt"))
            }
        }
    }

    @Test func trailingBytesAreReported() throws {
        let packed = try Zlib.compress(Array("payload".utf8)) + [1, 2, 3]
        #expect(throws: ZlibError.trailingData(count: 3)) { try Zlib.decompress(packed) }
        var out = [UInt8](repeating: 0, count: 7)
        #expect(throws: ZlibError.trailingData(count: 3)) {
            try packed.withUnsafeBytes { source in
                try out.withUnsafeMutableBytes { try Zlib.inflate(source: source, into: $0) }
            }
        }
    }

    @Test func outputLimitIsEnforced() throws {
        let plain = [UInt8](repeating: 7, count: 100_000)
        let packed = try Zlib.compress(plain)
        #expect(try Zlib.decompress(packed, limit: 100_000) == plain)
        #expect(throws: ZlibError.outputLimitExceeded(limit: 99_999)) { try Zlib.decompress(packed, limit: 99_999) }
        #expect(throws: ZlibError.outputLimitExceeded(limit: 0)) { try Zlib.decompress(packed, limit: 0) }
    }

    @Test func invalidLevelsAreRejected() {
        for level in [-1, 10, 100] {
            #expect(throws: ZlibError.invalidLevel(level)) { try Zlib.compress([1, 2, 3], level: level) }
        }
        #expect(ZlibError.invalidLevel(12).description.contains("0 (store) … 9"))
    }

    @Test func concurrentCallsAreIndependent() async throws {
        let inputs = (0..<8).map { seed in zlibPatternedBytes(count: 50_000 + seed * 1_000).map { $0 ^ UInt8(seed) } }
        let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask {
                    var ok = true
                    for level in [1, 6, 9] {
                        let packed = try Zlib.compress(input, level: level)
                        let back = try Zlib.decompress(packed)
                        ok = ok && back == input && Zlib.crc32(back) == Zlib.crc32(input)
                    }
                    return (index, ok)
                }
            }
            var all = [Bool](repeating: false, count: inputs.count)
            for try await (index, ok) in group { all[index] = ok }
            return all
        }
        #expect(results.allSatisfy { $0 })
    }
}
