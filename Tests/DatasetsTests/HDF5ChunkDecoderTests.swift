import Testing
import Datasets

/// Undoing a chunk's filters: every order, filter masks, exact sizes, damaged chunks. Chunks
/// are made here with the package's own shuffle, zlib and checksum (their agreement with
/// libhdf5 is tested on h5py's files in `HDF5FeatureDatasetFastPathTests`).
@Suite struct HDF5ChunkDecoderTests {
    static let values: [Float] = (0..<96).map { Float($0 % 13) * 0.25 - 1 }
    static var chunkBytes: Int { values.count * 4 }

    /// Applies `steps` in pipeline order, skipping those `mask` marks.
    static func encode(_ steps: [HDF5ChunkPipeline.Step], mask: UInt32 = 0) throws -> [UInt8] {
        var bytes = values.withUnsafeBytes { Array($0) }
        for (index, step) in steps.enumerated() where HDF5ChunkPipeline.isApplied(index, mask: mask) {
            switch step {
            case .deflate:
                bytes = try Zlib.compress(bytes, level: 4)
            case .shuffle(let size):
                var out = [UInt8](repeating: 0, count: bytes.count)
                try bytes.withUnsafeBytes { src in
                    try out.withUnsafeMutableBytes { try ByteShuffle.shuffle(source: src, into: $0, elementSize: size) }
                }
                bytes = out
            case .fletcher32:
                let sum = bytes.withUnsafeBytes { HDF5Fletcher32.checksum($0) }
                bytes += [UInt8(sum & 0xFF), UInt8(sum >> 8 & 0xFF), UInt8(sum >> 16 & 0xFF), UInt8(sum >> 24)]
            }
        }
        return bytes
    }

    static func decode(
        _ stored: [UInt8], _ steps: [HDF5ChunkPipeline.Step], mask: UInt32 = 0, output: UnsafeMutableRawPointer? = nil
    ) throws -> [Float] {
        let decoder = try HDF5ChunkDecoder()
        let raw = decoder.rawBuffer(count: stored.count)
        stored.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress!, byteCount: stored.count) }
        let decoded = try decoder.decode(
            rawCount: stored.count, pipeline: HDF5ChunkPipeline(steps), mask: mask, chunkBytes: chunkBytes,
            into: output, file: "f.h5", dataset: "/x", chunk: "chunk 9")
        if let output { #expect(decoded == UnsafeRawPointer(output)) }
        return Array(UnsafeBufferPointer(start: decoded.assumingMemoryBound(to: Float.self), count: values.count))
    }

    static let pipelines: [[HDF5ChunkPipeline.Step]] = [
        [], [.deflate], [.shuffle(elementSize: 4)], [.fletcher32], [.shuffle(elementSize: 4), .deflate],
        [.shuffle(elementSize: 4), .deflate, .fletcher32], [.fletcher32, .shuffle(elementSize: 4), .deflate],
        [.deflate, .shuffle(elementSize: 4), .fletcher32], [.deflate, .fletcher32, .deflate],
    ]

    @Test(arguments: pipelines)
    func everyPipelineAndMaskDecodesToTheValues(_ steps: [HDF5ChunkPipeline.Step]) throws {
        for mask in UInt32(0)..<(1 << UInt32(steps.count)) {
            let stored = try Self.encode(steps, mask: mask)
            #expect(try Self.decode(stored, steps, mask: mask) == Self.values, "\(steps) mask \(mask)")
            let output = UnsafeMutableRawPointer.allocate(byteCount: Self.chunkBytes, alignment: 16)
            defer { output.deallocate() }
            #expect(try Self.decode(stored, steps, mask: mask, output: output) == Self.values, "\(steps) mask \(mask) into output")
        }
    }

    @Test func damagedChunksAreCleanErrors() throws {
        let steps: [HDF5ChunkPipeline.Step] = [.shuffle(elementSize: 4), .deflate, .fletcher32]
        let good = try Self.encode(steps)
        func expectDamaged(_ stored: [UInt8], _ steps: [HDF5ChunkPipeline.Step], mask: UInt32 = 0, _ fragment: String) {
            expectHDF5Error({ try Self.decode(stored, steps, mask: mask) }) { error in
                guard case .damagedData(let file, let dataset, let detail) = error else { return false }
                return file == "f.h5" && dataset == "/x" && detail.hasPrefix("chunk 9") && detail.contains(fragment)
            }
        }
        var flipped = good
        flipped[10] ^= 0x40
        expectDamaged(flipped, steps, "Fletcher-32")
        expectDamaged(Array(good.prefix(3)), steps, "at least 4")
        // A valid checksum over a truncated deflate stream.
        let short = try Self.encode([.shuffle(elementSize: 4), .deflate]).dropLast(6)
        let sum = short.withUnsafeBytes { HDF5Fletcher32.checksum($0) }
        expectDamaged(Array(short) + [UInt8(sum & 0xFF), UInt8(sum >> 8 & 0xFF), UInt8(sum >> 16 & 0xFF), UInt8(sum >> 24)], steps, "inflate")
        // A stream that inflates to more or fewer bytes than the chunk has.
        let longer = try Zlib.compress([UInt8](repeating: 7, count: Self.chunkBytes + 4))
        expectDamaged(longer, [.deflate], "inflate")
        let shorter = try Zlib.compress([UInt8](repeating: 7, count: Self.chunkBytes - 4))
        expectDamaged(shorter, [.deflate], "inflates to \(Self.chunkBytes - 4) bytes")
        // Unfiltered bytes of the wrong size, with and without a shuffle.
        expectDamaged([UInt8](repeating: 0, count: Self.chunkBytes - 8), [], "expected \(Self.chunkBytes)")
        expectDamaged([UInt8](repeating: 0, count: Self.chunkBytes + 8), [.shuffle(elementSize: 4)], "to unshuffle")
        // A chunk whose deflate was skipped but that holds deflated bytes.
        expectDamaged(good, steps, mask: 0b010, "expected \(Self.chunkBytes + 4)")
    }
}

extension HDF5ChunkPipeline {
    /// A pipeline of exactly these steps.
    init(_ steps: [Step]) {
        let filters = steps.map { step -> HDF5Filter in
            switch step {
            case .deflate: return HDF5Filter(id: 1, name: "deflate", parameters: [4], isAvailable: true)
            case .shuffle(let size): return HDF5Filter(id: 2, name: "shuffle", parameters: [UInt32(size)], isAvailable: true)
            case .fletcher32: return HDF5Filter(id: 3, name: "fletcher32", parameters: [], isAvailable: true)
            }
        }
        self = HDF5ChunkPipeline(filters: filters)!
    }
}
