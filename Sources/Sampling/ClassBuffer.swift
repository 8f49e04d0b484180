import Datasets

/// One class's circular buffer of sample indices.
///
/// The indices live in a segment `[start, start + count)` of storage shared by all classes (the
/// buffer does not own it). The buffer hands the segment out in a shuffled order from a read
/// cursor; when the cursor reaches the end it reshuffles the segment with its own generator and
/// starts over (a new *pass*). Because every pass is a permutation of the class, after any
/// number of draws no sample has been drawn more than once more than another.
///
/// When a draw of `m` crosses the end of a pass, the new pass is arranged so that its first
/// samples differ from the ones the same draw took from the old pass, as long as the class has
/// at least `m` samples: a batch then never holds the same sample twice unless the class is
/// smaller than its share of the batch.
///
/// A pass is a uniform shuffle (the exact order) or, given a ``ChunkedPassArranger``, the
/// chunked order of ``ChunkedOrder``; the swaps at a wrap then stay within the new pass's first
/// window when it holds at least `m` samples.
struct ClassBuffer: Sendable {
    /// First position of the segment in the shared storage.
    let start: Int
    /// n_c, the segment's length (0 for an empty class, which is never drawn from).
    let count: Int
    /// Next position to hand out, in `0...count`; `count` means the pass is used up.
    private(set) var cursor: Int
    /// Passes started since ``beginEpoch(storage:rng:)``.
    private(set) var passes: Int
    /// Reshuffles the segment at each wrap.
    private var rng: Xoshiro256StarStar
    /// Samples at the front of the current pass that its first window holds (`count` in the
    /// exact order).
    private var firstRun: Int

    init(start: Int, count: Int) {
        internalInvariant(start >= 0 && count >= 0, "segment start \(start), count \(count)")
        self.start = start
        self.count = count
        self.cursor = count
        self.passes = 0
        self.rng = Xoshiro256StarStar(seed: 0)
        self.firstRun = count
    }

    /// Starts a fresh pass over a segment in canonical order, with a new generator.
    mutating func beginEpoch(storage: UnsafeMutableBufferPointer<Int32>, rng: Xoshiro256StarStar, arranger: inout ChunkedPassArranger?) {
        checkInvariants(storage)
        self.rng = rng
        cursor = 0
        passes = 1
        shuffleSegment(storage, arranger: &arranger)
    }

    /// Copies the next `m` indices to `out`, wrapping (and reshuffling) as often as needed.
    ///
    /// - Complexity: O(m) plus O(n_c) per wrap.
    mutating func take(
        _ m: Int, storage: UnsafeMutableBufferPointer<Int32>, into out: UnsafeMutablePointer<Int32>,
        arranger: inout ChunkedPassArranger?
    ) {
        checkInvariants(storage)
        internalInvariant(m == 0 || count > 0, "draw of \(m) from an empty class")
        var written = 0
        while written < m {
            if cursor == count {
                wrap(storage: storage, takenThisDraw: UnsafeBufferPointer(start: out, count: written), draw: m, arranger: &arranger)
            }
            let n = Swift.min(m - written, count - cursor)
            // A loop, not memmove: runs are short (a class's share of one batch).
            let run = storage.baseAddress! + start + cursor, destination = out + written
            for i in 0..<n { destination[i] = run[i] }
            cursor += n
            written += n
        }
    }

    /// Advances past the next `m` indices without copying them: the same state as ``take`` leaves.
    mutating func skip(
        _ m: Int, storage: UnsafeMutableBufferPointer<Int32>, scratch: UnsafeMutablePointer<Int32>,
        arranger: inout ChunkedPassArranger?
    ) {
        // Wraps depend on the indices taken in the same draw, so draws that wrap are replayed
        // into scratch; draws inside one pass just move the cursor.
        if m <= count - cursor {
            cursor += m
        } else {
            take(m, storage: storage, into: scratch, arranger: &arranger)
        }
    }

    /// Starts the next pass: reshuffle, then move any sample the current draw already took
    /// (`taken`) out of the first `draw - taken.count` positions, if the class is big enough.
    private mutating func wrap(
        storage: UnsafeMutableBufferPointer<Int32>, takenThisDraw taken: UnsafeBufferPointer<Int32>, draw m: Int,
        arranger: inout ChunkedPassArranger?
    ) {
        cursor = 0
        passes += 1
        shuffleSegment(storage, arranger: &arranger)
        guard !taken.isEmpty, count >= m else { return }
        let segment = storage.baseAddress! + start
        let front = m - taken.count
        // Positions 0..<reach hold `reach` distinct samples, at most `taken.count` of them
        // taken, so reach ≥ m leaves a sample to swap in for each of the `front` positions.
        let reach = Swift.min(count, Swift.max(firstRun, m))
        for i in 0..<front where taken.contains(segment[i]) {
            // Swap with a later position holding a sample this draw has not taken; one exists
            // because count ≥ m (see the type's discussion).
            var j: Int
            repeat {
                j = front + rng.nextBounded(reach - front)
            } while taken.contains(segment[j])
            let tmp = segment[i]
            segment[i] = segment[j]
            segment[j] = tmp
        }
    }

    /// Arranges the segment for pass ``passes``: a uniform shuffle, or the chunked order.
    private mutating func shuffleSegment(_ storage: UnsafeMutableBufferPointer<Int32>, arranger: inout ChunkedPassArranger?) {
        guard count > 1 else { return }
        var segment = UnsafeMutableBufferPointer(rebasing: storage[start..<(start + count)])
        if arranger != nil {
            firstRun = arranger!.arrange(segment, pass: passes, rng: &rng)
        } else {
            segment.prefetchingShuffle(using: &rng)
        }
    }

    /// Start, count and cursor against the storage (debug builds only).
    @inline(__always)
    private func checkInvariants(_ storage: UnsafeMutableBufferPointer<Int32>) {
        internalInvariant(start >= 0 && count >= 0 && start + count <= storage.count,
                          "segment \(start)..<\(start + count) outside storage of \(storage.count)")
        internalInvariant(cursor >= 0 && cursor <= count, "cursor \(cursor) outside 0...\(count)")
    }
}
