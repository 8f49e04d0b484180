import Datasets
import Sampling

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// memcpy of 256 MiB: the machine's copy bandwidth, the ceiling for gathering rows.
func memcpyBandwidth() -> [Measurement] {
    let bytes = 256 << 20
    let source = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    let destination = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    memset(source, 1, bytes)
    memset(destination, 0, bytes)
    // The buffers live as long as the process (the measurement may run again at any time).
    return [Measurement(key: "memcpy", unit: "GB/s", work: Double(bytes), minimum: 0.3, value: { $0 / 1e9 },
                        note: "256 MiB memcpy") {
        memcpy(destination, source, bytes)
        blackHole(destination)
    }]
}

/// Imbalanced noisy spirals, 1,000,000/100,000/10,000 points, σ = 0.2.
func spiralGeneration() throws -> [Measurement] {
    let spec = try SpiralSpecification(counts: [1_000_000, 100_000, 10_000], noise: 0.2, seed: 1)
    return [Measurement(key: "spiral", unit: "points/s", work: 1_110_000, minimum: 0.3, note: "1.11M points, σ = 0.2") {
        blackHole(spec.generate())
    }]
}

func imbalancedLabels(_ counts: [Int], seed: UInt64) -> [Int32] {
    var labels = [Int32]()
    labels.reserveCapacity(counts.reduce(0, +))
    for (c, n) in counts.enumerated() { labels.append(contentsOf: repeatElement(Int32(c), count: n)) }
    var rng = Xoshiro256StarStar(seed: seed)
    labels.fisherYatesShuffle(using: &rng)
    return labels
}

/// The balanced index stream for counts 1,000,000/100,000/10,000 and B = 96: one whole epoch
/// (31,250 batches, 3,000,000 indices) per round.
func balancedStream() throws -> [Measurement] {
    let labels = imbalancedLabels([1_000_000, 100_000, 10_000], seed: 2)
    var epoch = 0
    var schedule = try BatchSchedule(
        labels: labels, classCount: 3,
        configuration: ScheduleConfiguration(batchSize: 96, epochs: 1_000_000, seed: 3))
    let perEpoch = Double(schedule.batchCount(epoch: 0) * 96)
    var indices = [Int32]()
    return [Measurement(key: "balanced_stream", unit: "indices/s", work: perEpoch, minimum: 0.5,
                        note: "counts 1M/100k/10k, B = 96, whole epochs") {
        for b in 0..<schedule.batchCount(epoch: epoch) {
            schedule.fill(epoch: epoch, batch: b, into: &indices)
        }
        blackHole(indices)
        epoch += 1
    }]
}

/// The index stream for 1,000 long-tailed classes (n_c from 1280 down to 5, geometric; N ≈ 230k)
/// and B = 256 under balanced (K > B: one of each of 256 classes a batch), sqrt and progressive
/// (10 epochs, instance → balanced): whole epochs per round.
func longTailStream() throws -> [Measurement] {
    let counts = (0..<1000).map { c in Int((1280 * pow(5.0 / 1280, Double(c) / 999)).rounded()) }
    let labels = imbalancedLabels(counts, seed: 7)
    return try [("balanced", SamplingPolicy.balanced, 1), ("sqrt", .sqrt, 1), ("progressive", .progressive, 10)].map { name, policy, epochs in
        // A round is the whole phase: one epoch (balanced, sqrt) or progressive's 10.
        var schedule = try BatchSchedule(
            labels: labels, classCount: 1000,
            configuration: ScheduleConfiguration(batchSize: 256, phases: [SchedulePhase(policy, epochs: epochs)], seed: 3))
        let draws = (0..<epochs).reduce(0) { $0 + schedule.plan(epoch: $1).draws }
        var indices = [Int32]()
        return Measurement(key: "index_stream_k1000.\(name)", unit: "indices/s", work: Double(draws), minimum: 0.5,
                           note: "K = 1000, n_c 1280…5, B = 256, \(name), whole epochs") {
            for epoch in 0..<epochs {
                for b in 0..<schedule.batchCount(epoch: epoch) {
                    schedule.fill(epoch: epoch, batch: b, into: &indices)
                }
            }
            blackHole(indices)
        }
    }
}

/// Gathering balanced batches of B = 255 rows (3 × 85 of each class), D = 64, from the 1.11M
/// rows of `contiguous.h5` (counts 1,000,000/100,000/10,000) held in memory as `datatool`
/// holds a file read with ``FeatureReading/memory``: features and labels of precomputed
/// balanced indices, as the anchors do with `index_select` and a `DataLoader` over the same kind
/// of batches (their tensors are NumPy arrays in memory).
func batchAssembly(_ options: Options) throws -> [Measurement] {
    let data = try openLabelledFile(path: options.dataDirectory + "/contiguous.h5", reading: .memory)
    let labels = data.labels.values
    let b = 255
    var schedule = try BatchSchedule(
        labels: labels, classCount: data.classCount,
        configuration: ScheduleConfiguration(batchSize: b, epochs: 1, seed: 6))
    let batchesPerRound = 2000
    var plans = [(BatchTag, [Int32])]()
    var indices = [Int32]()
    for _ in 0..<batchesPerRound {
        guard let tag = schedule.next(into: &indices) else { break }
        plans.append((tag, indices))
    }
    var loader = try BatchLoader(schedule: schedule, source: data, labels: labels)
    var batch = Batch()
    return [Measurement(key: "batch_assembly", unit: "samples/s", work: Double(plans.count * b), minimum: 0.3,
                        note: "D = 64, B = 255 (3 × 85), contiguous.h5 in memory, precomputed balanced indices, features + labels") {
        for (tag, planned) in plans {
            batch.indices = planned
            try loader.assemble(tag: tag, into: &batch)
        }
        blackHole(batch.features)
    }]
}
