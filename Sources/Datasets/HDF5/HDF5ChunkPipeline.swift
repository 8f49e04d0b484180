/// A chunked dataset's filter pipeline when every filter is one this package undoes itself:
/// deflate (zlib), shuffle and fletcher32, any subset, in any order.
///
/// HDF5 applies the filters in pipeline order when writing a chunk and undoes them in reverse
/// order when reading it. Each chunk carries a filter mask: bit `i` set means filter `i` was
/// skipped for that chunk (an optional filter that did not help, or a chunk written directly).
package struct HDF5ChunkPipeline: Sendable, Equatable {
    /// One filter this package can undo.
    package enum Step: Sendable, Equatable {
        /// zlib (`H5Z_FILTER_DEFLATE`, id 1).
        case deflate
        /// Byte shuffle of elements of `elementSize` bytes (`H5Z_FILTER_SHUFFLE`, id 2).
        case shuffle(elementSize: Int)
        /// A 4-byte Fletcher-32 checksum appended to the chunk (`H5Z_FILTER_FLETCHER32`, id 3).
        case fletcher32
    }

    /// The steps in pipeline (writing) order.
    package let steps: [Step]

    /// The pipeline of `filters`, or `nil` when a filter is not one of the three (or a shuffle
    /// has no valid element size), so the chunks must go through libhdf5.
    package init?(filters: [HDF5Filter]) {
        guard filters.count <= 32 else { return nil }
        var steps: [Step] = []
        for filter in filters {
            switch filter.id {
            case 1:
                steps.append(.deflate)
            case 2:
                guard let size = filter.parameters.first, size >= 1 else { return nil }
                steps.append(.shuffle(elementSize: Int(size)))
            case 3:
                steps.append(.fletcher32)
            default:
                return nil
            }
        }
        self.steps = steps
    }

    /// Whether step `index` was applied to a chunk with filter mask `mask`.
    @inline(__always)
    package static func isApplied(_ index: Int, mask: UInt32) -> Bool {
        mask & (1 << UInt32(index)) == 0
    }

    /// The most bytes a chunk of `chunkBytes` decoded bytes can have between two steps: the
    /// decoded size plus 4 bytes per checksum.
    package func largestIntermediate(chunkBytes: Int) -> Int {
        chunkBytes + 4 * steps.filter { $0 == .fletcher32 }.count
    }

    /// The most bytes a stored chunk may plausibly have: anything larger is a damaged index
    /// entry. Deflate can grow incompressible data by a few bytes per 16 KiB block.
    package func largestStored(chunkBytes: Int) -> Int {
        var size = largestIntermediate(chunkBytes: chunkBytes)
        if steps.contains(.deflate) {
            let deflates = steps.filter { $0 == .deflate }.count
            for _ in 0..<deflates { size = Zlib.compressBound(size) + 64 }
        }
        return size
    }
}
