import Datasets

/// A locality order for samples stored in blocks (an HDF5 file's chunks): every pass of a
/// class buffer, and every natural epoch's permutation, visits its samples block by block in
/// a shuffled block order, shuffled within windows of `window` consecutive blocks of that
/// order (the quasi-random order of FFCV, Leclerc et al. 2023, and the shuffle blocks of
/// MosaicML's streaming datasets).
///
/// Only the permutation of each pass changes, so every invariant of ``BatchSchedule`` holds
/// as with the exact order: per-batch quotas, cover, determinism from `(seed, epoch, …)`,
/// random access and resume, sharding, draw counts within a class differing by at most one.
///
/// **One block order per pass number.** Pass p of every class (and natural epoch e's
/// permutation, as pass 0) follows the same shuffled block order, named by `(seed, epoch, p)`,
/// so classes whose passes run at the same pace (the largest classes of a balanced epoch,
/// every class of an instance-balanced or natural one) walk the blocks in step and a block
/// read for one of them serves the others. Classes drawn many passes an epoch (the rare
/// classes of a balanced epoch) walk the blocks faster; hold those in memory
/// (``Datasets/LabelledSource/pinningClasses(budgetBytes:)``).
///
/// **Locality.** Within a pass, the draws from one window of blocks come before those of the
/// next; a window holds `window` blocks of the pass's block order, so a run of a class's draws
/// touches at most `window` blocks (two where a run straddles windows), each block once per
/// pass. The first draw of a pass that wraps inside one draw may swap a sample in from the
/// first window only.
public struct ChunkedOrder: Sendable, Equatable {
    /// Where each sample is stored.
    public var blocks: RowBlocks
    /// Blocks of the shuffled block order whose samples are shuffled together (at least 1).
    public var window: Int

    /// The default window: 4 blocks.
    public static let defaultWindow = 4

    /// - Parameters:
    ///   - blocks: The block of each sample, one entry per sample of the schedule.
    ///   - window: Blocks whose samples are shuffled together, at least 1.
    public init(blocks: RowBlocks, window: Int = ChunkedOrder.defaultWindow) {
        self.blocks = blocks
        self.window = window
    }

    /// Windows of the block order.
    var windowCount: Int { (blocks.blockCount + window - 1) / window }
}

/// Arranges passes in the chunked order (see ``ChunkedOrder``), with reusable scratch.
struct ChunkedPassArranger: Sendable {
    let order: ChunkedOrder
    /// Names the block orders of the loaded epoch: pass p's from `(epochSeed, p)`.
    var epochSeed: UInt64 = 0
    private var copy: [Int32] = []
    private var keys: [UInt64] = []
    private var starts: [Int] = []

    init(order: ChunkedOrder) {
        self.order = order
    }

    /// Puts `segment` (distinct samples) in chunked order for pass `pass`: grouped by window
    /// of the pass's block order, windows in order, shuffled within each window with `rng`.
    ///
    /// - Returns: The length of the first window's run (the samples a pass starts with).
    /// - Complexity: O(n + windows) for n ≥ windows, else O(n log n).
    @discardableResult
    mutating func arrange(_ segment: UnsafeMutableBufferPointer<Int32>, pass: Int, rng: inout Xoshiro256StarStar) -> Int {
        let n = segment.count
        guard n > 1 else { return n }
        let permutation = BlockPermutation(count: order.blocks.blockCount, seed: Xoshiro256StarStar.deriveSeed(epochSeed, stream: UInt64(pass)))
        let blocks = order.blocks, window = order.window
        @inline(__always) func windowOf(_ sample: Int32) -> Int { permutation(blocks.block(ofRow: Int(sample))) / window }
        let windows = order.windowCount
        var first = 0
        if windows <= n {
            // Counting sort by window (stable), then a shuffle of each window's run.
            resize(&copy, to: n, filler: 0)
            resize(&starts, to: windows + 1, filler: 0)
            copy.withUnsafeMutableBufferPointer { copy in
                starts.withUnsafeMutableBufferPointer { starts in
                    for w in 0...windows { starts[w] = 0 }
                    for i in 0..<n {
                        copy[i] = segment[i]
                        starts[windowOf(copy[i]) + 1] += 1
                    }
                    for w in 0..<windows { starts[w + 1] += starts[w] }
                    var cursor = [Int](starts.prefix(windows))
                    for i in 0..<n {
                        let w = windowOf(copy[i])
                        segment[cursor[w]] = copy[i]
                        cursor[w] += 1
                    }
                    for w in 0..<windows where starts[w + 1] - starts[w] > 1 {
                        var run = UnsafeMutableBufferPointer(rebasing: segment[starts[w]..<starts[w + 1]])
                        run.fisherYatesShuffle(using: &rng)
                    }
                    first = starts[1...].first(where: { $0 > 0 }) ?? n
                }
            }
        } else {
            // Few samples over many windows: sort (window, sample) keys.
            resize(&keys, to: n, filler: 0)
            keys.withUnsafeMutableBufferPointer { keys in
                for i in 0..<n { keys[i] = UInt64(windowOf(segment[i])) << 32 | UInt64(UInt32(bitPattern: segment[i])) }
                keys.sort()
                var start = 0
                while start < n {
                    let w = keys[start] >> 32
                    var end = start + 1
                    while end < n && keys[end] >> 32 == w { end += 1 }
                    for i in start..<end { segment[i] = Int32(bitPattern: UInt32(truncatingIfNeeded: keys[i])) }
                    if end - start > 1 {
                        var run = UnsafeMutableBufferPointer(rebasing: segment[start..<end])
                        run.fisherYatesShuffle(using: &rng)
                    }
                    if start == 0 { first = end }
                    start = end
                }
            }
        }
        return first
    }

    /// The window of the block order of pass `pass` that `sample` falls in (tests).
    func window(of sample: Int32, pass: Int) -> Int {
        let permutation = BlockPermutation(count: order.blocks.blockCount, seed: Xoshiro256StarStar.deriveSeed(epochSeed, stream: UInt64(pass)))
        return permutation(order.blocks.block(ofRow: Int(sample))) / order.window
    }
}

/// A seeded permutation of `0..<count` evaluated one element at a time, without a table: a
/// four-round Feistel network on the smallest even number of bits covering `count`, walked
/// until it lands inside `0..<count` (cycle walking; Black & Rogaway, "Ciphers with Arbitrary
/// Finite Domains", CT-RSA 2002). O(1) memory, so every pass of every class can have its own
/// block order at no cost.
struct BlockPermutation: Sendable {
    let count: Int
    private let halfBits: UInt64
    private let mask: UInt64
    private let keys: (UInt64, UInt64, UInt64, UInt64)

    init(count: Int, seed: UInt64) {
        self.count = Swift.max(1, count)
        var bits = 2
        while (1 << bits) < self.count { bits += 2 }
        halfBits = UInt64(bits / 2)
        mask = (1 << UInt64(bits / 2)) - 1
        var mixer = SplitMix64(seed: seed)
        keys = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// The position of `x` (in `0..<count`) in the permutation.
    @inline(__always)
    func callAsFunction(_ x: Int) -> Int {
        var v = UInt64(x)
        repeat { v = encrypt(v) } while v >= UInt64(count)
        return Int(v)
    }

    @inline(__always)
    private func encrypt(_ v: UInt64) -> UInt64 {
        var left = v >> halfBits, right = v & mask
        (left, right) = (right, left ^ (SplitMix64.mix(right ^ keys.0) & mask))
        (left, right) = (right, left ^ (SplitMix64.mix(right ^ keys.1) & mask))
        (left, right) = (right, left ^ (SplitMix64.mix(right ^ keys.2) & mask))
        (left, right) = (right, left ^ (SplitMix64.mix(right ^ keys.3) & mask))
        return left << halfBits | right
    }
}
