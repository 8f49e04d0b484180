import Datasets
import Testing
@testable import Sampling

/// The chunked order: each pass a permutation of its class, block windows in order, shuffled
/// within; the schedule's invariants under it are checked with the exact order's in
/// `BatchScheduleTests` (every property test runs both orders).
@Suite struct ChunkedOrderTests {
    @Test("the block permutation is a permutation of 0..<count", arguments: [1, 2, 3, 5, 16, 17, 271, 1000, 4097])
    func blockPermutation(count: Int) {
        for seed: UInt64 in [0, 1, 99] {
            let permutation = BlockPermutation(count: count, seed: seed)
            let images = (0..<count).map { permutation($0) }
            #expect(Set(images) == Set(0..<count), "count \(count) seed \(seed)")
        }
        if count >= 16 {
            let a = BlockPermutation(count: count, seed: 1), b = BlockPermutation(count: count, seed: 2)
            #expect((0..<count).map { a($0) } != (0..<count).map { b($0) }, "count \(count): two seeds gave one order")
        }
    }

    /// A class of `n` samples spread over blocks of `rowsPerBlock` rows among `total` rows.
    static func classBuffer(seed: UInt64, n: Int, total: Int, rowsPerBlock: Int, window: Int) throws
        -> (storage: [Int32], arranger: ChunkedPassArranger)
    {
        var rng = Xoshiro256StarStar(seed: seed)
        var rows = Array(Int32(0)..<Int32(total))
        rows.fisherYatesShuffle(using: &rng)
        let order = ChunkedOrder(blocks: try RowBlocks(rowsPerBlock: rowsPerBlock, rowCount: total), window: window)
        var arranger = ChunkedPassArranger(order: order)
        arranger.epochSeed = seed &* 31 &+ 7
        return (Array(rows.prefix(n)).sorted(), arranger)
    }

    @Test("a pass is a permutation of its class; its windows come in order; a window holds at most `window` blocks",
          arguments: [(1, 1_000, 16, 4), (37, 10_000, 64, 4), (3_690, 1_110_000 / 10, 409, 4), (500, 5_000, 10, 1), (5, 100_000, 7, 8)])
    func passLocality(shape: (n: Int, total: Int, rowsPerBlock: Int, window: Int)) throws {
        for seed: UInt64 in 0..<4 {
            let (classRows, arranger) = try Self.classBuffer(seed: seed, n: shape.n, total: shape.total, rowsPerBlock: shape.rowsPerBlock, window: shape.window)
            var storage = classRows
            let members = Set(storage)
            var buffer = ClassBuffer(start: 0, count: shape.n)
            var optional: ChunkedPassArranger? = arranger
            var drawn = [Int32](repeating: 0, count: 1)
            try storage.withUnsafeMutableBufferPointer { storage in
                buffer.beginEpoch(storage: storage, rng: Xoshiro256StarStar(seed: seed), arranger: &optional)
                for pass in 1...3 {
                    var seen = [Int32]()
                    for _ in 0..<shape.n {
                        drawn.withUnsafeMutableBufferPointer { buffer.take(1, storage: storage, into: $0.baseAddress!, arranger: &optional) }
                        seen.append(drawn[0])
                    }
                    let context = "n=\(shape.n) seed \(seed) pass \(pass)"
                    #expect(Set(seen) == members && seen.count == members.count, "\(context): not a permutation of the class")
                    let windows = seen.map { arranger.window(of: $0, pass: pass) }
                    #expect(windows == windows.sorted(), "\(context): windows out of order")
                    var blocksOfWindow = [Int: Set<Int>]()
                    for (sample, w) in zip(seen, windows) {
                        blocksOfWindow[w, default: []].insert(Int(sample) / shape.rowsPerBlock)
                    }
                    let widest = blocksOfWindow.values.map(\.count).max() ?? 0
                    #expect(widest <= shape.window, "\(context): a window spans \(widest) blocks")
                    if shape.n > 20 {
                        let again = try Self.classBuffer(seed: seed, n: shape.n, total: shape.total, rowsPerBlock: shape.rowsPerBlock, window: shape.window)
                        #expect(seen != again.storage, "\(context): the pass is in ascending order, not shuffled")
                    }
                }
            }
        }
    }

    @Test("both sorting paths (counting sort, key sort) give each window's samples, windows in order")
    func sortingPaths() throws {
        // 3 samples over 2,500 windows takes the key sort; 3,000 over 25 the counting sort.
        for (n, total, rowsPerBlock) in [(3, 10_000, 1), (3_000, 10_000, 100)] {
            var (storage, arranger) = try Self.classBuffer(seed: 5, n: n, total: total, rowsPerBlock: rowsPerBlock, window: 4)
            let before = storage
            var rng = Xoshiro256StarStar(seed: 1)
            storage.withUnsafeMutableBufferPointer { _ = arranger.arrange($0, pass: 2, rng: &rng) }
            #expect(storage.sorted() == before.sorted(), "n=\(n)")
            let windows = storage.map { arranger.window(of: $0, pass: 2) }
            #expect(windows == windows.sorted(), "n=\(n): windows out of order")
        }
    }

    /// The benchmark's shape, shrunk: 3 classes 1000:100:10 shares, blocks of 64 rows.
    static func benchmarkShape(window: Int = 4) throws -> (labels: [Int32], configuration: ScheduleConfiguration) {
        var rng = Xoshiro256StarStar(seed: 3)
        var labels = [Int32](repeating: 0, count: 20_000) + [Int32](repeating: 1, count: 2_000) + [Int32](repeating: 2, count: 200)
        labels.fisherYatesShuffle(using: &rng)
        var configuration = ScheduleConfiguration(batchSize: 96, epochs: 2, finetuneEpochs: 1, seed: 11)
        configuration.chunkedOrder = ChunkedOrder(blocks: try RowBlocks(rowsPerBlock: 64, rowCount: labels.count), window: window)
        return (labels, configuration)
    }

    @Test("natural epochs: a permutation of all samples whose block windows come in order")
    func naturalEpochLocality() throws {
        let (labels, configuration) = try Self.benchmarkShape()
        var schedule = try BatchSchedule(labels: labels, classCount: 3, configuration: configuration)
        let all = globalEpoch(&schedule, epoch: 2, padded: false).flatMap { $0 }
        #expect(all.sorted() == Array(0..<Int32(labels.count)))
        var arranger = ChunkedPassArranger(order: configuration.chunkedOrder!)
        arranger.epochSeed = schedule.epochSeed(2, BatchSchedule.blockOrderPurpose)
        // Batches are shuffled inside, so compare windows batch by batch.
        var previous = -1
        for start in stride(from: 0, to: all.count, by: 96) {
            let windows = all[start..<min(all.count, start + 96)].map { arranger.window(of: $0, pass: 0) }
            #expect(windows.min()! >= previous, "batch at \(start) goes back to window \(windows.min()!) after \(previous)")
            #expect(windows.max()! - windows.min()! <= 1, "batch at \(start) spans windows \(windows.min()!)…\(windows.max()!)")
            previous = windows.max()!
        }
    }

    @Test("balanced batches: the head class's samples in a batch come from at most two windows, and a window of batches touches far fewer blocks than the exact order")
    func batchLocality() throws {
        let (labels, configuration) = try Self.benchmarkShape()
        var schedule = try BatchSchedule(labels: labels, classCount: 3, configuration: configuration)
        var exact = configuration
        exact.chunkedOrder = nil
        var exactSchedule = try BatchSchedule(labels: labels, classCount: 3, configuration: exact)
        let batches = globalEpoch(&schedule, epoch: 0, padded: false)
        for (j, batch) in batches.enumerated() {
            // Class 0 has ~58 samples a block, so its 32 draws a batch lie in one window of 4
            // blocks, or two where they straddle windows (the smaller classes have fewer
            // samples a window than draws a batch, so theirs span more windows).
            let blocks = Set(batch.filter { labels[Int($0)] == 0 }.map { Int($0) / 64 })
            #expect(blocks.count <= 2 * 4, "batch \(j) class 0: \(blocks.count) blocks")
        }
        // Class 0's draws over 16 batches: a few windows, against almost every block exactly.
        func blocksTouched(_ batches: [[Int32]]) -> Int {
            Set(batches.prefix(16).flatMap { $0 }.filter { labels[Int($0)] == 0 }.map { Int($0) / 64 }).count
        }
        let exactBatches = globalEpoch(&exactSchedule, epoch: 0, padded: false)
        #expect(blocksTouched(batches) * 8 < blocksTouched(exactBatches),
                "chunked touched \(blocksTouched(batches)) blocks, exact \(blocksTouched(exactBatches))")
    }

    @Test("several labels a sample: cover draws every labelled sample, resume reproduces the stream")
    func multiLabel() throws {
        var rng = Xoshiro256StarStar(seed: 8)
        let rows = (0..<600).map { _ in (0..<5).filter { _ in rng.nextBounded(4) == 0 } }
        let labels = try MultiLabels(rows: rows, labelCount: 5)
        var configuration = ScheduleConfiguration(batchSize: 32, epochs: 2, finetuneEpochs: 1, seed: 3)
        configuration.chunkedOrder = ChunkedOrder(blocks: try RowBlocks(rowsPerBlock: 25, rowCount: 600), window: 2)
        var schedule = try BatchSchedule(multiLabels: labels, configuration: configuration)
        let drawn = Set(globalEpoch(&schedule, epoch: 0, padded: false).flatMap { $0 })
        #expect(drawn == Set(rows.indices.filter { !rows[$0].isEmpty }.map { Int32($0) }))
        let reference = stream(schedule)
        for start in [5, reference.count / 2, reference.count - 3] {
            var resumed = schedule
            try resumed.seek(epoch: reference[start].0.epoch, batch: reference[start].0.batch)
            #expect(stream(resumed).map(\.1) == reference[start...].map(\.1), "from \(reference[start].0)")
        }
    }

    @Test("a block map of the wrong length or a window below 1 is refused")
    func badOrder() throws {
        let labels: [Int32] = [0, 1, 0, 1]
        var configuration = ScheduleConfiguration(batchSize: 2)
        configuration.chunkedOrder = ChunkedOrder(blocks: try RowBlocks(rowsPerBlock: 2, rowCount: 5))
        #expect(throws: SamplingError.self) { try BatchSchedule(labels: labels, classCount: 2, configuration: configuration) }
        configuration.chunkedOrder = ChunkedOrder(blocks: try RowBlocks(rowsPerBlock: 2, rowCount: 4), window: 0)
        #expect(throws: SamplingError.self) { try BatchSchedule(labels: labels, classCount: 2, configuration: configuration) }
        #expect(throws: DatasetError.self) { try RowBlocks(blocks: [0, 3], blockCount: 2) }
        #expect(throws: DatasetError.self) { try RowBlocks(rowsPerBlock: 0, rowCount: 4) }
    }
}
