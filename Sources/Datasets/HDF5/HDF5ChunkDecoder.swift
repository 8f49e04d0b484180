/// One worker's tools for turning stored chunks back into values: a libdeflate decompressor, a
/// zlib state (for what libdeflate refuses, and to name what is wrong) and scratch buffers, reused from chunk to chunk, so decoding allocates nothing once the buffers have
/// grown. Used by one thread at a time.
///
/// Decoding undoes the pipeline's steps in reverse order, skipping those the chunk's filter
/// mask marks as skipped, and checks every size on the way: a checksum is verified and
/// stripped, a deflate stream must inflate to exactly the size the next step expects, a
/// shuffle must see exactly its expected size. Anything else is
/// ``HDF5Error/damagedData(file:dataset:detail:)``, never a write out of bounds.
package final class HDF5ChunkDecoder {
    private var inflater: ZlibInflater
    private var fastInflater: WholeBufferInflater
    /// Stored (raw) chunk bytes.
    private var raw = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    /// Two buffers the steps write to in turn.
    private var stageA = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var stageB = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    /// Creates a decoder; buffers are allocated on first use.
    ///
    /// - Throws: ``ZlibError/outOfMemory`` when zlib or libdeflate cannot allocate its state.
    package init() throws {
        inflater = try ZlibInflater()
        fastInflater = try WholeBufferInflater()
    }

    deinit {
        raw.deallocate()
        stageA.deallocate()
        stageB.deallocate()
    }

    /// The bytes this decoder's buffers take.
    package var bytesHeld: Int { raw.count + stageA.count + stageB.count }

    /// A buffer for `count` stored bytes, valid until the next call.
    package func rawBuffer(count: Int) -> UnsafeMutableRawPointer {
        Self.grow(&raw, to: count)
        return raw.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 16)!
    }

    /// Decodes the `rawCount` stored bytes in ``rawBuffer(count:)``.
    ///
    /// - Parameters:
    ///   - rawCount: The stored size of the chunk.
    ///   - pipeline: The dataset's filters.
    ///   - mask: The chunk's filter mask (bit `i` set: filter `i` was skipped).
    ///   - chunkBytes: The decoded size (the full chunk shape times the element size).
    ///   - output: Where the decoded bytes must go (`chunkBytes` of room), or `nil` to leave
    ///     them in a scratch buffer.
    ///   - file, dataset, chunk: Names for errors.
    /// - Returns: The decoded `chunkBytes` bytes: `output`, or a scratch buffer valid until the
    ///   next call.
    /// - Throws: ``HDF5Error/damagedData(file:dataset:detail:)`` as described on the type.
    package func decode(
        rawCount: Int, pipeline: HDF5ChunkPipeline, mask: UInt32, chunkBytes: Int,
        into output: UnsafeMutableRawPointer?, file: String, dataset: String, chunk: @autoclosure () -> String
    ) throws -> UnsafeRawPointer {
        let steps = pipeline.steps
        // known[i]: the size step `i` was given when writing, when no deflate ran before it
        // (then it is the decoded size plus 4 bytes per checksum before it); -1 otherwise.
        var known = [Int](repeating: -1, count: steps.count)
        var lastStep = -1  // the first applied step in pipeline order is the last one undone
        var running = chunkBytes
        for (index, step) in steps.enumerated() where HDF5ChunkPipeline.isApplied(index, mask: mask) {
            if lastStep < 0 { lastStep = index }
            known[index] = running
            switch step {
            case .fletcher32: if running >= 0 { running += 4 }
            case .deflate: running = -1
            case .shuffle: break
            }
        }
        // The most an intermediate result may have when its size is not known in advance.
        let bound = pipeline.largestStored(chunkBytes: chunkBytes)
        guard let rawBase = raw.baseAddress, rawCount <= raw.count else {
            preconditionFailure("HDF5ChunkDecoder: rawBuffer(count:) was not called for \(rawCount) bytes")
        }
        func damaged(_ detail: String) -> HDF5Error {
            .damagedData(file: file, dataset: dataset, detail: "\(chunk()) \(detail)")
        }

        var current = UnsafeRawPointer(rawBase)
        var size = rawCount
        var index = steps.count - 1
        while index >= 0 {
            defer { index -= 1 }
            guard HDF5ChunkPipeline.isApplied(index, mask: mask) else { continue }
            let expected = known[index]
            let toOutput = index == lastStep ? output : nil
            switch steps[index] {
            case .fletcher32:
                guard size >= 4, expected < 0 || size == expected + 4 else {
                    throw damaged("has \(size) bytes before its Fletcher-32 checksum is checked; expected \(expected < 0 ? "at least 4" : String(expected + 4))")
                }
                size -= 4
                let stored = UInt32(current.load(fromByteOffset: size, as: UInt8.self))
                    | UInt32(current.load(fromByteOffset: size + 1, as: UInt8.self)) << 8
                    | UInt32(current.load(fromByteOffset: size + 2, as: UInt8.self)) << 16
                    | UInt32(current.load(fromByteOffset: size + 3, as: UInt8.self)) << 24
                guard HDF5Fletcher32.matches(UnsafeRawBufferPointer(start: current, count: size), stored: stored) else {
                    throw damaged("fails its Fletcher-32 checksum")
                }
                if let toOutput {
                    toOutput.copyMemory(from: current, byteCount: size)
                    current = UnsafeRawPointer(toOutput)
                }
            case .deflate:
                let capacity = expected >= 0 ? expected : bound
                let target = toOutput ?? stage(other: current, count: capacity)
                let source = UnsafeRawBufferPointer(start: current, count: size)
                let destination = UnsafeMutableRawBufferPointer(start: target, count: capacity)
                let produced: Int
                if let fast = fastInflater.inflate(source: source, into: destination) {
                    produced = fast
                } else {
                    // zlib decodes what libdeflate refused, or says what is wrong with it.
                    do {
                        produced = try inflater.inflate(source: source, into: destination)
                    } catch let error as ZlibError {
                        throw damaged("does not inflate to the \(capacity) bytes expected: \(error)")
                    }
                }
                guard expected < 0 || produced == expected else {
                    throw damaged("inflates to \(produced) bytes; expected \(expected)")
                }
                current = UnsafeRawPointer(target)
                size = produced
            case .shuffle(let elementSize):
                guard expected < 0 || size == expected else {
                    throw damaged("has \(size) bytes to unshuffle; expected \(expected)")
                }
                let target = toOutput ?? stage(other: current, count: size)
                try ByteShuffle.unshuffle(
                    source: UnsafeRawBufferPointer(start: current, count: size),
                    into: UnsafeMutableRawBufferPointer(start: target, count: size), elementSize: elementSize)
                current = UnsafeRawPointer(target)
            }
        }
        guard size == chunkBytes else {
            throw damaged("holds \(size) bytes; expected \(chunkBytes) (the chunk shape times 4 bytes)")
        }
        if lastStep < 0, let output {
            output.copyMemory(from: current, byteCount: size)
            return UnsafeRawPointer(output)
        }
        return current
    }

    /// A stage buffer of at least `count` bytes that is not `current`.
    private func stage(other current: UnsafeRawPointer, count: Int) -> UnsafeMutableRawPointer {
        if let a = stageA.baseAddress, UnsafeRawPointer(a) == current {
            Self.grow(&stageB, to: count)
            return stageB.baseAddress!
        }
        Self.grow(&stageA, to: count)
        return stageA.baseAddress!
    }

    private static func grow(_ buffer: inout UnsafeMutableRawBufferPointer, to count: Int) {
        guard buffer.count < count || buffer.baseAddress == nil else { return }
        buffer.deallocate()
        buffer = .allocate(byteCount: max(count, 16), alignment: 64)
    }
}
