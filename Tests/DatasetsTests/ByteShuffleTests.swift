import Testing
@testable import Datasets

@Suite struct ByteShuffleTests {
    let fixture: ZlibFixture

    init() throws { fixture = try ZlibFixture.load() }

    @Test func matchesNumpyModelOfHDF5Shuffle() throws {
        for item in fixture.shuffle {
            let label = "element size \(item.element_size), \(item.plain.count) bytes"
            var out = [UInt8](repeating: 0, count: item.plain.count)
            try item.shuffled.withUnsafeBytes { source in
                try out.withUnsafeMutableBytes {
                    try ByteShuffle.unshuffle(source: source, into: $0, elementSize: item.element_size)
                }
            }
            #expect(out == item.plain, "unshuffle, \(label)")
            try item.plain.withUnsafeBytes { source in
                try out.withUnsafeMutableBytes {
                    try ByteShuffle.shuffle(source: source, into: $0, elementSize: item.element_size)
                }
            }
            #expect(out == item.shuffled, "shuffle, \(label)")
        }
    }

    /// Raw chunks of h5py datasets written with shuffle + gzip: inflate then unshuffle must give
    /// the bytes h5py reads.
    @Test func inflateThenUnshuffleReproducesH5py() throws {
        var inflater = try ZlibInflater()
        for dataset in fixture.hdf5_chunks {
            var inflated = [UInt8](repeating: 0, count: dataset.chunk_bytes)
            var chunk = [UInt8](repeating: 0, count: dataset.chunk_bytes)
            for item in dataset.chunks {
                let label = "\(dataset.name) (\(dataset.dtype)) chunk at row \(item.first_row)"
                #expect(item.filter_mask == 0, "\(label): h5py skipped a filter")
                let written = try item.raw.withUnsafeBytes { source in
                    try inflated.withUnsafeMutableBytes { try inflater.inflate(source: source, into: $0) }
                }
                #expect(written == dataset.chunk_bytes, "\(label): inflated size")
                try inflated.withUnsafeBytes { source in
                    try chunk.withUnsafeMutableBytes {
                        try ByteShuffle.unshuffle(source: source, into: $0, elementSize: dataset.element_size)
                    }
                }
                #expect(Array(chunk[..<item.valid_bytes]) == item.expected, "\(label): values")
            }
        }
    }

    @Test func roundTripsEveryElementSizeAndLength() throws {
        for size in 1...9 {
            for count in [0, 1, size, size + 1, 3 * size - 1, 10 * size + 3] {
                let plain = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ size) }
                var shuffled = [UInt8](repeating: 0, count: count)
                var back = [UInt8](repeating: 0, count: count)
                try plain.withUnsafeBytes { source in
                    try shuffled.withUnsafeMutableBytes { try ByteShuffle.shuffle(source: source, into: $0, elementSize: size) }
                }
                try shuffled.withUnsafeBytes { source in
                    try back.withUnsafeMutableBytes { try ByteShuffle.unshuffle(source: source, into: $0, elementSize: size) }
                }
                #expect(back == plain, "element size \(size), \(count) bytes")
                // The trailing partial element stays in place.
                let whole = count / size * size
                #expect(shuffled[whole...] == plain[whole...], "tail, element size \(size), \(count) bytes")
            }
        }
    }

    @Test func badArgumentsThrow() {
        var out = [UInt8](repeating: 0, count: 8)
        let source: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        #expect(throws: ZlibError.invalidElementSize(0)) {
            try source.withUnsafeBytes { s in try out.withUnsafeMutableBytes { try ByteShuffle.unshuffle(source: s, into: $0, elementSize: 0) } }
        }
        var short = [UInt8](repeating: 0, count: 7)
        #expect(throws: ZlibError.sizeMismatch(source: 8, destination: 7)) {
            try source.withUnsafeBytes { s in try short.withUnsafeMutableBytes { try ByteShuffle.unshuffle(source: s, into: $0, elementSize: 4) } }
        }
    }
}
